/*
 * config.h - the site's settings, from config.ini.
 *
 *   [site]      code, name
 *   [database]  path            (relative to the config file's folder)
 *   [forms]     dir             (relative to the config file's folder)
 *   [display]   language (en|zh), date_format
 *   [security]  idle_lock_minutes, failed_login_limit,
 *               password_min_length, password_max_age_days
 *   [monitoring] auto_queries
 *
 * Every unknown section or key, missing required key and bad value is an
 * error naming the file, line, section and key.  docs/configuration.md
 * lists every key with its default.
 */
#ifndef CRF_CONFIG_H
#define CRF_CONFIG_H

#include <stdbool.h>

#include "crf/formdef.h"
#include "crf/status.h"

typedef struct crf_config {
	char *path;                 /* the file read */
	char *site_code;            /* 2-8 of A-Z 0-9 */
	char *site_name;
	char *db_path;              /* resolved */
	char *forms_dir;            /* resolved */
	crf_lang lang;
	char *date_format;          /* YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY */
	int idle_lock_minutes;      /* 1..240, default 10 */
	int failed_login_limit;     /* 1..20, default 5 */
	int password_min_length;    /* 8..128, default 10 */
	int password_max_age_days;  /* 0 (never) ..3650, default 180 */
	bool auto_queries;          /* [monitoring]: soft values raise queries; no */
} crf_config;

/*
 * Which file to read: explicit (from -c/--config) if not NULL, else
 * $CRF_CONFIG, else ./config.ini if it exists, else /etc/crf/config.ini.
 * Returns an owned path.
 */
char *config_locate(const char *explicit_path);

/* Read path into cfg.  On error returns CRF_ECONFIG (or CRF_EIO) with
 * every problem, one per line, "file:line: [section] key: message", in
 * err; cfg is then empty. */
crf_status config_load(const char *path, crf_config *cfg, crf_err *err);

void config_free(crf_config *cfg);

/* Whether code looks like a site code: 2 to 8 upper-case letters or
 * digits, such as TJ01 (the rule of [site] code; subject keys are
 * "<CODE>-<NNNN>"). */
bool config_site_code_ok(const char *code);

#endif
