/* ini.c - iniparser plus a line scanner for positions and pitfalls. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iniparser.h>

#include "crf/ini.h"
#include "crf/util.h"

/* iniparser's error callback has no context pointer: keep the messages
 * of the load in progress here. */
static strbuf ini_errors;

static int
ini_error_cb(const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	sb_add(&ini_errors, buf);
	return 0;
}

static void
diagf(ini_diag_fn diag, void *ctx, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
diagf(ini_diag_fn diag, void *ctx, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	diag(ctx, file, line, buf);
}

ini_sec *
ini_section(const ini_doc *doc, const char *name)
{
	for (size_t i = 0; i < doc->nsecs; i++)
		if (strcmp(doc->secs[i].name, name) == 0)
			return &doc->secs[i];
	return NULL;
}

ini_key *
ini_sec_key(const ini_sec *sec, const char *name)
{
	for (size_t i = 0; i < sec->nkeys; i++)
		if (strcmp(sec->keys[i].name, name) == 0)
			return &sec->keys[i];
	return NULL;
}

const char *
ini_sec_get(const ini_sec *sec, const char *name)
{
	ini_key *k = ini_sec_key(sec, name);

	return k ? k->value : NULL;
}

/* A value's raw text after '=': report what iniparser would lose. */
static void
check_raw_value(const char *v, const char *file, int line, const char *key,
    ini_diag_fn diag, void *ctx)
{
	if (*v == '"' || *v == '\'') {
		const char *close = strchr(v + 1, *v);
		if (close == NULL) {
			diagf(diag, ctx, file, line,
			    "the value of '%s' opens a quote that is never closed", key);
			return;
		}
		close++;
		while (*close == ' ' || *close == '\t')
			close++;
		if (*close && *close != ';' && *close != '#')
			diagf(diag, ctx, file, line,
			    "text after the closing quote of '%s' would be lost: "
			    "put the whole value in quotes, or an expression in parentheses", key);
		return;
	}
	for (const char *p = v; *p; p++) {
		if ((*p == ';' || *p == '#') && p > v &&
		    !isspace((unsigned char)p[-1])) {
			diagf(diag, ctx, file, line,
			    "'%c' in the value of '%s' starts a comment and the rest "
			    "would be lost: put the whole value in double quotes", *p, key);
			return;
		}
		if ((*p == ';' || *p == '#') && p > v)
			return;  /* a comment after the value */
	}
}

static ini_sec *
add_section(ini_doc *doc, const char *raw, int line)
{
	ini_sec *s;

	xgrow(&doc->secs, sizeof *doc->secs, &doc->scap, doc->nsecs);
	s = &doc->secs[doc->nsecs++];
	memset(s, 0, sizeof *s);
	s->raw = xstrdup(raw);
	s->name = str_lower(xstrdup(raw));
	s->line = line;
	return s;
}

/* Scan the text line by line as iniparser does; returns the number of
 * syntax problems reported. */
static int
scan(ini_doc *doc, char *text, ini_diag_fn diag, void *ctx)
{
	const char *file = doc->path;
	ini_sec *cur = NULL;
	strbuf joined = {0};
	int lineno = 0, start = 0, nsyntax = 0;
	char *p = text;

	while (*p) {
		char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *next = nl ? nl + 1 : p + len;
		char *line;

		lineno++;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > INI_MAX_LINE) {
			diagf(diag, ctx, file, lineno,
			    "line is %zu bytes long; at most %d are allowed "
			    "(end a line with '\\' to continue it)", len, INI_MAX_LINE);
			nsyntax++;
		}
		if (joined.len == 0)
			start = lineno;
		sb_addn(&joined, p, len);
		p = next;

		/* Continuation: a line ending in a backslash. */
		str_trim(joined.s);
		joined.len = strlen(joined.s);
		if (joined.len > 0 && joined.s[joined.len - 1] == '\\') {
			joined.s[--joined.len] = '\0';
			if (*p)
				continue;
		}
		line = joined.s;
		if (line[0] == '\0' || line[0] == ';' || line[0] == '#') {
			sb_clear(&joined);
			continue;
		}
		if (line[0] == '[') {
			char *close = strrchr(line, ']');
			char *name;
			ini_sec *prev;

			if (close == NULL) {
				diagf(diag, ctx, file, start, "section header without ']'");
				nsyntax++;
				sb_clear(&joined);
				continue;
			}
			*close = '\0';
			name = str_trim(line + 1);
			if (strchr(name, ':'))
				diagf(diag, ctx, file, start,
				    "section name [%s] contains ':', which iniparser drops", name);
			str_lower(name);
			prev = ini_section(doc, name);
			if (prev) {
				diagf(diag, ctx, file, start,
				    "section [%s] appears twice (first at line %d)", name, prev->line);
				cur = prev;
			} else {
				cur = add_section(doc, line + 1, start);
				free(cur->raw);
				cur->raw = xstrdup(name);
			}
		} else {
			char *eq = strchr(line, '=');
			char *key, *val;
			ini_key *k;

			if (eq == NULL) {
				diagf(diag, ctx, file, start,
				    "expected 'key = value', a [section] or a comment: %.40s", line);
				nsyntax++;
				sb_clear(&joined);
				continue;
			}
			*eq = '\0';
			key = str_trim(line);
			val = eq + 1;
			while (*val == ' ' || *val == '\t')
				val++;
			if (*key == '\0') {
				diagf(diag, ctx, file, start, "a value without a key");
				nsyntax++;
			} else if (cur == NULL) {
				diagf(diag, ctx, file, start,
				    "key '%s' comes before any [section]", key);
			} else {
				char *lname = str_lower(xstrdup(key));
				if ((k = ini_sec_key(cur, lname)) != NULL) {
					diagf(diag, ctx, file, start,
					    "key '%s' appears twice in [%s] (first at line %d); "
					    "only one is allowed", key, cur->name, k->line);
					free(lname);
				} else {
					xgrow(&cur->keys, sizeof *cur->keys, &cur->kcap, cur->nkeys);
					k = &cur->keys[cur->nkeys++];
					k->name = lname;
					k->raw = xstrdup(key);
					k->value = NULL;
					k->line = start;
				}
				check_raw_value(val, file, start, key, diag, ctx);
			}
		}
		sb_clear(&joined);
	}
	sb_free(&joined);
	return nsyntax;
}

crf_status
ini_read(const char *path, ini_doc *doc, ini_diag_fn diag, void *ctx)
{
	dictionary *d;
	char *text;
	int nsyntax;

	memset(doc, 0, sizeof *doc);
	doc->path = xstrdup(path);
	text = file_read_all(path, NULL);
	if (text == NULL) {
		diagf(diag, ctx, path, 0, "cannot read the file: %s", strerror(errno));
		return CRF_EIO;
	}
	if (!utf8_valid(text))
		diagf(diag, ctx, path, 0, "the file is not valid UTF-8");
	nsyntax = scan(doc, text, diag, ctx);
	free(text);

	sb_clear(&ini_errors);
	iniparser_set_error_callback(ini_error_cb);
	d = iniparser_load(path);
	if (d == NULL) {
		/* The scanner has named the lines already; add iniparser's own
		 * words only when it found something the scanner did not. */
		if (nsyntax == 0)
			diagf(diag, ctx, path, 0, "iniparser could not read the file: %s",
			    ini_errors.s ? str_trim(ini_errors.s) : "unknown error");
		sb_free(&ini_errors);
		return CRF_EDEF;
	}
	sb_free(&ini_errors);
	doc->dict = d;
	for (size_t i = 0; i < doc->nsecs; i++) {
		ini_sec *s = &doc->secs[i];
		for (size_t j = 0; j < s->nkeys; j++) {
			char *full = xasprintf("%s:%s", s->name, s->keys[j].name);
			s->keys[j].value = iniparser_getstring(d, full, NULL);
			if (s->keys[j].value == NULL)
				s->keys[j].value = "";
			free(full);
		}
	}
	return nsyntax ? CRF_EDEF : CRF_OK;
}

void
ini_free(ini_doc *doc)
{
	for (size_t i = 0; i < doc->nsecs; i++) {
		ini_sec *s = &doc->secs[i];
		for (size_t j = 0; j < s->nkeys; j++) {
			free(s->keys[j].name);
			free(s->keys[j].raw);
		}
		free(s->keys);
		free(s->name);
		free(s->raw);
	}
	free(doc->secs);
	if (doc->dict)
		iniparser_freedict(doc->dict);
	free(doc->path);
	memset(doc, 0, sizeof *doc);
}
