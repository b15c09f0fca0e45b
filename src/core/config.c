/* config.c - config.ini into struct crf_config. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crf/config.h"
#include "crf/ini.h"
#include "crf/util.h"

typedef struct cfg_ctx {
	strbuf msgs;
	int nerr;
} cfg_ctx;

static void
cfg_diag(void *ctx, const char *file, int line, const char *msg)
{
	cfg_ctx *c = ctx;

	if (c->msgs.len)
		sb_add(&c->msgs, "\n");
	if (line > 0)
		sb_addf(&c->msgs, "%s:%d: %s", file, line, msg);
	else
		sb_addf(&c->msgs, "%s: %s", file, msg);
	c->nerr++;
}

/* The keys config.ini may hold, per section. */
static const struct {
	const char *section;
	const char *keys[6];
} cfg_schema[] = {
	{ "site",     { "code", "name", NULL } },
	{ "database", { "path", NULL } },
	{ "forms",    { "dir", NULL } },
	{ "display",  { "language", "date_format", NULL } },
	{ "security", { "idle_lock_minutes", "failed_login_limit",
	                "password_min_length", "password_max_age_days", NULL } },
	{ "monitoring", { "auto_queries", NULL } },
};

static const char *const date_formats[] = {
	"YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY", NULL
};

char *
config_locate(const char *explicit_path)
{
	const char *env = getenv("CRF_CONFIG");

	if (explicit_path != NULL)
		return xstrdup(explicit_path);
	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (access("config.ini", F_OK) == 0)
		return xstrdup("config.ini");
	return xstrdup("/etc/crf/config.ini");
}

static const ini_key *
cfg_key(const ini_doc *doc, const char *sec, const char *key)
{
	ini_sec *s = ini_section(doc, sec);

	return s ? ini_sec_key(s, key) : NULL;
}

static void
cfg_error(cfg_ctx *c, const ini_doc *doc, const char *sec, const char *key,
    const char *fmt, const char *detail)
{
	const ini_key *k = cfg_key(doc, sec, key);
	const ini_sec *s = ini_section(doc, sec);
	char buf[512];

	snprintf(buf, sizeof buf, fmt, detail);
	if (k)
		sb_addf(&c->msgs, "%s%s:%d: [%s] %s: %s", c->msgs.len ? "\n" : "",
		    doc->path, k->line, sec, key, buf);
	else if (s)
		sb_addf(&c->msgs, "%s%s:%d: [%s] %s: %s", c->msgs.len ? "\n" : "",
		    doc->path, s->line, sec, key, buf);
	else
		sb_addf(&c->msgs, "%s%s: [%s] %s: %s", c->msgs.len ? "\n" : "",
		    doc->path, sec, key, buf);
	c->nerr++;
}

/* A required non-blank text value. */
static char *
cfg_text(cfg_ctx *c, const ini_doc *doc, const char *sec, const char *key,
    const char *def)
{
	const ini_key *k = cfg_key(doc, sec, key);

	if (k == NULL || str_blank(k->value)) {
		if (def)
			return xstrdup(def);
		cfg_error(c, doc, sec, key, "is required%s", "");
		return NULL;
	}
	return xstrdup(k->value);
}

static int
cfg_int(cfg_ctx *c, const ini_doc *doc, const char *sec, const char *key,
    int def, int lo, int hi)
{
	const ini_key *k = cfg_key(doc, sec, key);
	long v;
	char range[64];

	if (k == NULL)
		return def;
	snprintf(range, sizeof range, "%d and %d", lo, hi);
	if (!parse_long(k->value, &v)) {
		cfg_error(c, doc, sec, key, "must be a whole number between %s", range);
		return def;
	}
	if (v < lo || v > hi) {
		cfg_error(c, doc, sec, key, "must be between %s", range);
		return def;
	}
	return (int)v;
}

static bool
cfg_bool(cfg_ctx *c, const ini_doc *doc, const char *sec, const char *key,
    bool def)
{
	const ini_key *k = cfg_key(doc, sec, key);

	if (k == NULL)
		return def;
	if (strcmp(k->value, "yes") == 0)
		return true;
	if (strcmp(k->value, "no") == 0)
		return false;
	cfg_error(c, doc, sec, key, "must be yes or no, not '%s'", k->value);
	return def;
}

static char *
resolve(const char *cfgpath, const char *p)
{
	char *dir, *full;

	if (p == NULL)
		return NULL;
	dir = path_dirname(cfgpath);
	full = path_join(dir, p);
	free(dir);
	return full;
}

crf_status
config_load(const char *path, crf_config *cfg, crf_err *err)
{
	cfg_ctx c = {0};
	ini_doc doc;
	crf_status rc;
	char *s;

	memset(cfg, 0, sizeof *cfg);
	rc = ini_read(path, &doc, cfg_diag, &c);
	if (rc == CRF_EIO) {
		crf_fail(err, CRF_EIO, "%s", c.msgs.s ? c.msgs.s : path);
		sb_free(&c.msgs);
		ini_free(&doc);
		return CRF_EIO;
	}
	if (rc == CRF_OK) {
		/* Unknown sections and keys. */
		for (size_t i = 0; i < doc.nsecs; i++) {
			const ini_sec *sec = &doc.secs[i];
			size_t si;

			for (si = 0; si < sizeof cfg_schema / sizeof cfg_schema[0]; si++)
				if (strcmp(cfg_schema[si].section, sec->name) == 0)
					break;
			if (si == sizeof cfg_schema / sizeof cfg_schema[0]) {
				sb_addf(&c.msgs, "%s%s:%d: unknown section [%s] (known: site, "
				    "database, forms, display, security, monitoring)", c.msgs.len ? "\n" : "",
				    path, sec->line, sec->name);
				c.nerr++;
				continue;
			}
			for (size_t j = 0; j < sec->nkeys; j++) {
				bool known = false;
				for (size_t ki = 0; cfg_schema[si].keys[ki]; ki++)
					if (strcmp(cfg_schema[si].keys[ki], sec->keys[j].name) == 0)
						known = true;
				if (!known) {
					sb_addf(&c.msgs, "%s%s:%d: [%s] %s: unknown key",
					    c.msgs.len ? "\n" : "", path, sec->keys[j].line,
					    sec->name, sec->keys[j].raw);
					c.nerr++;
				}
			}
		}

		cfg->path = xstrdup(path);
		cfg->site_code = cfg_text(&c, &doc, "site", "code", NULL);
		if (cfg->site_code && !config_site_code_ok(cfg->site_code))
			cfg_error(&c, &doc, "site", "code",
			    "must be 2 to 8 upper-case letters or digits, such as TJ01%s", "");
		cfg->site_name = cfg_text(&c, &doc, "site", "name", NULL);
		s = cfg_text(&c, &doc, "database", "path", NULL);
		cfg->db_path = resolve(path, s);
		free(s);
		s = cfg_text(&c, &doc, "forms", "dir", "forms");
		cfg->forms_dir = resolve(path, s);
		free(s);

		s = cfg_text(&c, &doc, "display", "language", "en");
		if (lang_from_code(s) < 0)
			cfg_error(&c, &doc, "display", "language",
			    "must be en or zh, not '%s'", s);
		else
			cfg->lang = (crf_lang)lang_from_code(s);
		free(s);
		cfg->date_format = cfg_text(&c, &doc, "display", "date_format", "YYYY-MM-DD");
		{
			bool known = false;
			for (size_t i = 0; date_formats[i]; i++)
				if (strcmp(date_formats[i], cfg->date_format) == 0)
					known = true;
			if (!known)
				cfg_error(&c, &doc, "display", "date_format",
				    "must be YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY or DD.MM.YYYY, not '%s'",
				    cfg->date_format);
		}
		cfg->idle_lock_minutes = cfg_int(&c, &doc, "security", "idle_lock_minutes", 10, 1, 240);
		cfg->failed_login_limit = cfg_int(&c, &doc, "security", "failed_login_limit", 5, 1, 20);
		cfg->password_min_length = cfg_int(&c, &doc, "security", "password_min_length", 10, 8, 128);
		cfg->password_max_age_days = cfg_int(&c, &doc, "security", "password_max_age_days", 180, 0, 3650);
		cfg->auto_queries = cfg_bool(&c, &doc, "monitoring", "auto_queries", false);
	}
	ini_free(&doc);
	if (c.nerr > 0 || rc != CRF_OK) {
		crf_fail(err, CRF_ECONFIG, "%s", c.msgs.s ? c.msgs.s : "configuration error");
		sb_free(&c.msgs);
		config_free(cfg);
		return CRF_ECONFIG;
	}
	sb_free(&c.msgs);
	return CRF_OK;
}

void
config_free(crf_config *cfg)
{
	free(cfg->path);
	free(cfg->site_code);
	free(cfg->site_name);
	free(cfg->db_path);
	free(cfg->forms_dir);
	free(cfg->date_format);
	memset(cfg, 0, sizeof *cfg);
}

bool
config_site_code_ok(const char *code)
{
	size_t n = code != NULL ? strlen(code) : 0;

	if (n < 2 || n > 8)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)code[i]) && !isdigit((unsigned char)code[i]))
			return false;
	return true;
}
