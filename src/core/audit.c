/*
 * audit.c - the audit trail's hash chain, its verification and its text.
 *
 * The canonical encoding of a row is defined in audit.h; docs/audit.md
 * describes it for people who check a trail with other tools.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crf/audit.h"
#include "crf/util.h"

/* Field tags of the encoding. */
#define TAG_NULL 0x00
#define TAG_TEXT 0x01

audit_text
audit_str(const char *s)
{
	audit_text t = { s, s != NULL ? strlen(s) : 0 };

	return t;
}

static void
hash_field(crypto_generichash_state *h, audit_text t)
{
	unsigned char head[9];
	uint64_t len = t.len;

	if (t.s == NULL) {
		head[0] = TAG_NULL;
		crypto_generichash_update(h, head, 1);
		return;
	}
	head[0] = TAG_TEXT;
	for (int i = 0; i < 8; i++)
		head[1 + i] = (unsigned char)(len >> (56 - 8 * i));
	crypto_generichash_update(h, head, sizeof head);
	if (t.len > 0)
		crypto_generichash_update(h, (const unsigned char *)t.s, t.len);
}

void
audit_hash(audit_text prev, const audit_text cols[AUDIT_NCOLS],
    char out[AUDIT_HASH_HEX + 1])
{
	crypto_generichash_state h;
	unsigned char md[AUDIT_HASH_HEX / 2];

	/* BLAKE2b needs no sodium_init(): it has no run-time dispatch. */
	crypto_generichash_init(&h, NULL, 0, sizeof md);
	hash_field(&h, audit_str(AUDIT_FORMAT));
	hash_field(&h, prev);
	for (int i = 0; i < AUDIT_NCOLS; i++)
		hash_field(&h, cols[i]);
	crypto_generichash_final(&h, md, sizeof md);
	sodium_bin2hex(out, AUDIT_HASH_HEX + 1, md, sizeof md);
}

bool
audit_clock_went_back(audit_text prev_ts, audit_text ts_utc)
{
	size_t n;
	int c;

	if (prev_ts.s == NULL || ts_utc.s == NULL)
		return false;
	n = prev_ts.len < ts_utc.len ? prev_ts.len : ts_utc.len;
	c = memcmp(ts_utc.s, prev_ts.s, n);
	return c < 0 || (c == 0 && ts_utc.len < prev_ts.len);
}

/* ---- Verification ------------------------------------------------------- */

void
audit_report_clear(audit_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nissues; i++)
		free(r->issues[i].text);
	free(r->issues);
	for (size_t i = 0; i < r->nclocks; i++) {
		audit_clock *k = &r->clocks[i];

		free(k->ts_utc);
		free(k->tz_offset);
		free(k->prev_ts);
		free(k->user);
	}
	free(r->clocks);
	memset(r, 0, sizeof *r);
}

void
audit_report_add(audit_report *r, audit_issue_kind kind, long long row,
    long long seq, const char *fmt, ...)
{
	audit_issue *is;
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	text = xmalloc((size_t)(n > 0 ? n : 0) + 1);
	va_start(ap, fmt);
	vsnprintf(text, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
	va_end(ap);

	r->issues = xrealloc(r->issues, (r->nissues + 1) * sizeof *r->issues);
	is = &r->issues[r->nissues++];
	is->kind = kind;
	is->row = row;
	is->seq = seq;
	is->text = text;
}

/* A column as an owned, NUL-terminated string (NULL stays NULL). */
static char *
text_dup(audit_text t)
{
	return t.s != NULL ? xstrndup(t.s, t.len) : NULL;
}

/* A column's integer value; false if it is not a plain decimal number. */
static bool
text_int(audit_text t, long long *out)
{
	char buf[32];
	long v;

	if (t.s == NULL || t.len == 0 || t.len >= sizeof buf)
		return false;
	memcpy(buf, t.s, t.len);
	buf[t.len] = '\0';
	if (!parse_long(buf, &v))
		return false;
	*out = v;
	return true;
}

bool
audit_head_parse(const char *s, audit_head *out)
{
	const char *colon = s != NULL ? strchr(s, ':') : NULL;
	char num[24];
	long v;

	if (colon == NULL || colon == s || (size_t)(colon - s) >= sizeof num ||
	    strlen(colon + 1) != AUDIT_HASH_HEX)
		return false;
	memcpy(num, s, (size_t)(colon - s));
	num[colon - s] = '\0';
	if (!parse_long(num, &v) || v < 1)
		return false;
	for (int i = 0; i < AUDIT_HASH_HEX; i++) {
		char ch = colon[1 + i];

		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return false;
		out->hash[i] = ch;
	}
	out->hash[AUDIT_HASH_HEX] = '\0';
	out->seq = v;
	return true;
}

void
audit_chain_init(audit_chain *c, audit_report *report, const audit_head *head)
{
	memset(c, 0, sizeof *c);
	c->report = report;
	c->head = head;
}

static void
chain_remember(audit_chain *c, const audit_text cols[AUDIT_NCOLS],
    audit_text hash)
{
	free(c->prev_hash);
	c->prev_hash = text_dup(hash);
	/* prev_ts is the latest time seen so far (invariant 11 of store.c). */
	if (!audit_clock_went_back(audit_str(c->prev_ts), cols[AUDIT_TS_UTC])) {
		free(c->prev_ts);
		c->prev_ts = text_dup(cols[AUDIT_TS_UTC]);
	}
}

void
audit_chain_row(audit_chain *c, const audit_text cols[AUDIT_NCOLS],
    audit_text hash)
{
	audit_report *r = c->report;
	long long seq = 0, flag = -1;
	long long row = r->rows + 1;
	long long expected = r->last_seq + 1;
	char want[AUDIT_HASH_HEX + 1];
	bool back;

	/* seq is the INTEGER PRIMARY KEY: always a number. */
	text_int(cols[AUDIT_SEQ], &seq);
	text_int(cols[AUDIT_CLOCK_BACK], &flag);
	back = audit_clock_went_back(audit_str(c->prev_ts), cols[AUDIT_TS_UTC]);

	if (flag == 1) {
		audit_clock *k;

		r->clocks = xrealloc(r->clocks, (r->nclocks + 1) * sizeof *r->clocks);
		k = &r->clocks[r->nclocks++];
		k->row = row;
		k->seq = seq;
		k->ts_utc = text_dup(cols[AUDIT_TS_UTC]);
		k->tz_offset = text_dup(cols[AUDIT_TZ_OFFSET]);
		k->prev_ts = xstrdup(c->prev_ts);
		k->user = text_dup(cols[AUDIT_USER]);
	}

	if (!c->broken) {
		if (seq != expected) {
			if (r->rows == 0)
				audit_report_add(r, AUDIT_ROW_MISSING, row, expected,
				    "row %lld (seq %lld) is missing (seq gap: the trail "
				    "starts at seq %lld): rows were deleted outside crf",
				    row, expected, seq);
			else
				audit_report_add(r, AUDIT_ROW_MISSING, row, expected,
				    "row %lld (seq %lld) is missing (seq gap: seq %lld is "
				    "followed by seq %lld): rows were deleted outside crf",
				    row, expected, r->last_seq, seq);
			c->broken = true;
		} else if (hash.s == NULL || hash.len == 0) {
			audit_report_add(r, AUDIT_ROW_INSERTED, row, seq,
			    "row %lld (seq %lld) was inserted outside crf: it has "
			    "no hash", row, seq);
			c->broken = true;
		} else {
			audit_hash(audit_str(c->prev_hash), cols, want);
			if (hash.len != AUDIT_HASH_HEX ||
			    memcmp(hash.s, want, AUDIT_HASH_HEX) != 0) {
				audit_report_add(r, AUDIT_ROW_CHANGED, row, seq,
				    "row %lld (seq %lld) was changed outside crf: its "
				    "hash does not match", row, seq);
				c->broken = true;
			} else if (flag != (back ? 1 : 0)) {
				/* The flag is hashed, so only a row re-hashed by hand
				 * gets here. */
				audit_report_add(r, AUDIT_ROW_CHANGED, row, seq,
				    "row %lld (seq %lld) was changed outside crf: its "
				    "clock flag does not match its time", row, seq);
				c->broken = true;
			}
		}
	}
	if (c->head != NULL && seq == c->head->seq) {
		c->head_seen = true;
		if (hash.len != AUDIT_HASH_HEX ||
		    memcmp(hash.s, c->head->hash, AUDIT_HASH_HEX) != 0)
			audit_report_add(r, AUDIT_HEAD_DIFFERS, row, seq, "row %lld "
			    "(seq %lld) is not the head noted earlier: its hash "
			    "differs, so the trail up to it was rewritten", row, seq);
	}
	r->rows = row;
	r->last_seq = seq;
	if (hash.s != NULL && hash.len <= AUDIT_HASH_HEX) {
		memcpy(r->head, hash.s, hash.len);
		r->head[hash.len] = '\0';
	} else {
		r->head[0] = '\0';
	}
	chain_remember(c, cols, hash);
}

void
audit_chain_end(audit_chain *c, long long sequence)
{
	audit_report *r = c->report;

	if (!c->broken && sequence > r->last_seq) {
		audit_report_add(r, AUDIT_ROW_MISSING, r->rows + 1, r->last_seq + 1,
		    "row %lld (seq %lld) is missing: the trail ends at seq %lld but "
		    "crf had written up to seq %lld: rows were deleted outside crf",
		    r->rows + 1, r->last_seq + 1, r->last_seq, sequence);
		c->broken = true;
	}
	if (c->head != NULL && !c->head_seen)
		audit_report_add(r, AUDIT_HEAD_DIFFERS, 0, c->head->seq, "the head "
		    "noted earlier, seq %lld, is not in the trail: the trail was "
		    "cut or rewritten", c->head->seq);
}

void
audit_chain_free(audit_chain *c)
{
	free(c->prev_hash);
	free(c->prev_ts);
	c->prev_hash = NULL;
	c->prev_ts = NULL;
}

/* ---- Text for people -------------------------------------------------- */

char *
audit_printable(const char *s)
{
	strbuf sb = { 0 };

	while (s != NULL && *s != '\0') {
		unsigned long cp;
		int n = utf8_next(s, &cp);

		if (n == 0) {
			sb_addf(&sb, "\\x%02X", (unsigned char)*s);
			s++;
			continue;
		}
		if (cp == '\\')
			sb_add(&sb, "\\\\");
		else if (cp == '\n')
			sb_add(&sb, "\\n");
		else if (cp == '\t')
			sb_add(&sb, "\\t");
		else if (cp < 0x20 || cp == 0x7f)
			sb_addf(&sb, "\\x%02lX", cp);
		else if (cp >= 0x80 && cp < 0xa0)
			sb_addf(&sb, "\\u%04lX", cp);
		else
			sb_addn(&sb, s, (size_t)n);
		s += n;
	}
	return sb_steal(&sb);
}

char *
audit_value_text(const char *value, const char *missing)
{
	char *v, *m, *out;

	if (value == NULL && missing == NULL)
		return xstrdup("(blank)");
	v = audit_printable(value);
	m = audit_printable(missing);
	if (value == NULL)
		out = xasprintf("[%s]", m);
	else if (missing == NULL)
		out = xstrdup(v);
	else
		out = xasprintf("%s [%s]", v, m);
	free(v);
	free(m);
	return out;
}

char *
audit_where_text(const char *event, int event_repeat, const char *form,
    int form_repeat, const char *field)
{
	strbuf sb = { 0 };
	char *p;

	if (event != NULL && *event != '\0') {
		p = audit_printable(event);
		sb_addf(&sb, "%s/%d", p, event_repeat);
		free(p);
	}
	if (form != NULL) {
		p = audit_printable(form);
		sb_addf(&sb, "%s%s/%d", sb.len > 0 ? " " : "", p, form_repeat);
		free(p);
	}
	if (field != NULL) {
		p = audit_printable(field);
		sb_addf(&sb, "%s%s", sb.len > 0 ? " " : "", p);
		free(p);
	}
	return sb_steal(&sb);
}
