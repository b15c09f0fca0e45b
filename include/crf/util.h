/*
 * util.h - allocation, strings and number parsing shared by every module.
 *
 * The x-allocators never return NULL: on exhaustion they call the fatal
 * hook (which the UI sets to restore the terminal first) and exit.
 */
#ifndef CRF_UTIL_H
#define CRF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Called before exiting on a fatal error; the UI sets it to end curses. */
extern void (*crf_fatal_hook)(void);

/* Report msg on stderr after running crf_fatal_hook, then exit(2). */
void crf_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);              /* xstrdup(NULL) == NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *arr (element size sz) so that index `need` fits; *cap is updated. */
void xgrow(void *arr, size_t sz, size_t *cap, size_t need);

/* String equality; NULL equals only NULL. */
bool str_eq(const char *a, const char *b);
/* Case-insensitive ASCII equality. */
bool str_ieq(const char *a, const char *b);
/* Copy with truncation; always NUL-terminates when size > 0.  Returns
 * strlen(src) like strlcpy. */
size_t str_copy(char *dst, const char *src, size_t size);
/* Trim ASCII white space at both ends, in place; returns s. */
char *str_trim(char *s);
/* True if s is NULL or only white space. */
bool str_blank(const char *s);
/* Lower-case ASCII in place; returns s. */
char *str_lower(char *s);
bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);

/* Strict decimal parsing of a whole string (surrounding blanks allowed):
 * no octal, no hex, no trailing junk, no overflow.  Return true on success. */
bool parse_long(const char *s, long *out);
bool parse_double(const char *s, double *out);

/* Growable string buffer. */
typedef struct strbuf {
	char *s;      /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
} strbuf;
void sb_add(strbuf *sb, const char *s);
void sb_addn(strbuf *sb, const char *s, size_t n);
void sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_clear(strbuf *sb);             /* len = 0, keeps the memory */
void sb_free(strbuf *sb);
char *sb_steal(strbuf *sb);            /* returns owned string ("" if empty) */

/* Display width in terminal columns of a UTF-8 string (wcwidth per
 * character; invalid bytes and control characters count 1).  Needs
 * setlocale(LC_CTYPE) to a UTF-8 locale for wide characters. */
int utf8_width(const char *s);
/* True if s is valid UTF-8. */
bool utf8_valid(const char *s);
/* Decode the UTF-8 sequence at s into *cp; returns its length in bytes,
 * 0 when the bytes are not valid UTF-8 (or s is at its end). */
int utf8_next(const char *s, unsigned long *cp);
/* Plain-ASCII stand-in for a character a non-UTF-8 terminal cannot show
 * ("²" -> "2", "×" -> "x", "≥" -> ">=", "─" -> "-"), or NULL. */
const char *ascii_fallback(unsigned long cp);

/* Read a whole file into a NUL-terminated buffer; NULL with errno set on
 * failure.  *len may be NULL. */
char *file_read_all(const char *path, size_t *len);
/* Directory part of a path, owned ("." when there is none). */
char *path_dirname(const char *path);
/* Create dir and any missing parent folder, each with mode 0750.  Returns
 * 0, or -1 with errno set. */
int path_make_dirs(const char *dir);
/* Join dir and a relative name; absolute names are returned as copies. */
char *path_join(const char *dir, const char *name);

#endif
