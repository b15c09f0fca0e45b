/* util.c - allocation, strings, numbers, UTF-8 widths and paths. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <sys/stat.h>

#include "crf/util.h"

void (*crf_fatal_hook)(void);

void
crf_fatal(const char *fmt, ...)
{
	va_list ap;

	if (crf_fatal_hook != NULL) {
		void (*hook)(void) = crf_fatal_hook;
		crf_fatal_hook = NULL;
		hook();
	}
	fputs("crf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		crf_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		crf_fatal("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		crf_fatal("out of memory (%zu bytes)", n);
	return q;
}

char *
xstrdup(const char *s)
{
	return s == NULL ? NULL : xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;
	size_t len = strnlen(s, n);

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		crf_fatal("bad format string");
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
xgrow(void *arr, size_t sz, size_t *cap, size_t need)
{
	void **pp = arr;
	size_t ncap;

	if (need < *cap)
		return;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap <= need)
		ncap *= 2;
	if (ncap > SIZE_MAX / sz)
		crf_fatal("out of memory");
	*pp = xrealloc(*pp, ncap * sz);
	memset((char *)*pp + *cap * sz, 0, (ncap - *cap) * sz);
	*cap = ncap;
}

bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

bool
str_ieq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcasecmp(a, b) == 0;
}

size_t
str_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

char *
str_trim(char *s)
{
	char *p = s, *e;

	while (*p && isspace((unsigned char)*p))
		p++;
	e = p + strlen(p);
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	memmove(s, p, (size_t)(e - p));
	s[e - p] = '\0';
	return s;
}

bool
str_blank(const char *s)
{
	if (s == NULL)
		return true;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

char *
str_lower(char *s)
{
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

bool
str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_ends(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* Skip leading blanks; true if what follows end is only blanks. */
static bool
only_blanks(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return *p == '\0';
}

bool
parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (s == NULL)
		return false;
	while (isspace((unsigned char)*s))
		s++;
	if (!(isdigit((unsigned char)*s) ||
	    ((*s == '-' || *s == '+') && isdigit((unsigned char)s[1]))))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno == ERANGE || !only_blanks(end))
		return false;
	*out = v;
	return true;
}

bool
parse_double(const char *s, double *out)
{
	const char *p;
	char *end;
	double v;
	bool digits = false;

	if (s == NULL)
		return false;
	while (isspace((unsigned char)*s))
		s++;
	/* Plain decimal notation only: no hex, inf, nan or exponent. */
	p = s;
	if (*p == '-' || *p == '+')
		p++;
	for (; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits = true;
		else if (*p != '.')
			break;
	}
	if (!digits || !only_blanks(p) || strchr(s, '.') != strrchr(s, '.'))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno == ERANGE || end != p || !isfinite(v))
		return false;
	*out = v;
	return true;
}

void
sb_addn(strbuf *sb, const char *s, size_t n)
{
	xgrow(&sb->s, 1, &sb->cap, sb->len + n + 1);
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void
sb_add(strbuf *sb, const char *s)
{
	sb_addn(sb, s, strlen(s));
}

void
sb_addf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	xgrow(&sb->s, 1, &sb->cap, sb->len + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void
sb_clear(strbuf *sb)
{
	sb->len = 0;
	if (sb->s)
		sb->s[0] = '\0';
}

void
sb_free(strbuf *sb)
{
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
}

char *
sb_steal(strbuf *sb)
{
	char *s = sb->s ? sb->s : xstrdup("");

	sb->s = NULL;
	sb->len = sb->cap = 0;
	return s;
}

/* Decode one UTF-8 sequence at s; returns its length (0 if invalid). */
static int
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	int n, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
utf8_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int width = 0;

	while (*p) {
		uint32_t cp;
		int n = utf8_decode(p, &cp);
		int w;

		if (n == 0) {
			width++;
			p++;
			continue;
		}
		w = wcwidth((wchar_t)cp);
		width += w < 0 ? 1 : w;
		p += n;
	}
	return width;
}

bool
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		uint32_t cp;
		int n = utf8_decode(p, &cp);

		if (n == 0)
			return false;
		p += n;
	}
	return true;
}

int
utf8_next(const char *s, unsigned long *cp)
{
	uint32_t c;
	int n;

	if (*s == '\0')
		return 0;
	n = utf8_decode((const unsigned char *)s, &c);
	*cp = c;
	return n;
}

const char *
ascii_fallback(unsigned long cp)
{
	static const struct {
		unsigned long cp;
		const char *ascii;
	} map[] = {
		{ 0x00b0, "deg" }, { 0x00b1, "+/-" }, { 0x00b2, "2" }, { 0x00b3, "3" },
		{ 0x00b5, "u" }, { 0x00b7, "." }, { 0x00b9, "1" }, { 0x00d7, "x" },
		{ 0x2013, "-" }, { 0x2014, "-" }, { 0x2018, "'" }, { 0x2019, "'" },
		{ 0x201c, "\"" }, { 0x201d, "\"" }, { 0x2026, "..." }, { 0x2070, "0" },
		{ 0x2074, "4" }, { 0x2075, "5" }, { 0x2076, "6" }, { 0x2077, "7" },
		{ 0x2078, "8" }, { 0x2079, "9" }, { 0x207b, "-" }, { 0x2190, "<-" },
		{ 0x2191, "^" }, { 0x2192, "->" }, { 0x2193, "v" }, { 0x2264, "<=" },
		{ 0x2265, ">=" }, { 0x2500, "-" }, { 0x2502, "|" }, { 0x250c, "+" },
		{ 0x2510, "+" }, { 0x2514, "+" }, { 0x2518, "+" }, { 0x25b8, ">" },
		{ 0x25cb, "o" }, { 0x25cf, "*" }, { 0x25d0, "/" },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].cp == cp)
			return map[i].ascii;
	return NULL;
}

char *
file_read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	strbuf sb = {0};
	char buf[8192];
	size_t n;

	if (fp == NULL)
		return NULL;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sb_addn(&sb, buf, n);
	if (ferror(fp)) {
		int e = errno;
		fclose(fp);
		sb_free(&sb);
		errno = e ? e : EIO;
		return NULL;
	}
	fclose(fp);
	if (len)
		*len = sb.len;
	return sb_steal(&sb);
}

char *
path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

int
path_make_dirs(const char *dir)
{
	char *p = xstrdup(dir);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0750) != 0 && errno != EEXIST) {
				rc = -1;
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

char *
path_join(const char *dir, const char *name)
{
	if (name[0] == '/' || dir == NULL || dir[0] == '\0')
		return xstrdup(name);
	if (str_ends(dir, "/"))
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s/%s", dir, name);
}
