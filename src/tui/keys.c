/* keys.c - the key table: dispatch, key bar, help and script key names. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crf/keys.h"

static const key_binding table[] = {
#define KEYS_ROW(a, name, f, c, ctx, needs, bar, help) { a, name, f, c, ctx, needs, bar, help },
	KEY_ACTIONS(KEYS_ROW)
#undef KEYS_ROW
};

const key_binding *
keys_table(size_t *n)
{
	*n = sizeof table / sizeof table[0];
	return table;
}

const key_binding *
keys_binding(action a)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].act == a)
			return &table[i];
	return NULL;
}

perm_action
keys_needs(action a)
{
	const key_binding *kb = keys_binding(a);

	return kb ? kb->needs : PERM_ANYONE;
}

bool
keys_allowed(const key_binding *kb, crf_role role)
{
	return perm_allows(role, kb->needs);
}

/* Keys that are not function or control keys of the table. */
static action
fixed_action(bool is_key, wint_t ch)
{
	if (is_key) {
		switch (ch) {
		case KEY_DOWN: return ACT_NEXT;
		case KEY_UP: case KEY_BTAB: return ACT_PREV;
		case KEY_NPAGE: return ACT_PAGE_DOWN;
		case KEY_PPAGE: return ACT_PAGE_UP;
		case KEY_ENTER: return ACT_ENTER;
		case KEY_RESIZE: return ACT_REDRAW;
		}
		return ACT_NONE;
	}
	switch (ch) {
	case '\t': return ACT_NEXT;
	case '\r': case '\n': return ACT_ENTER;
	case 27: return ACT_CANCEL;
	}
	return ACT_NONE;
}

action
keys_action(bool is_key, wint_t ch, unsigned ctx)
{
	action fixed = fixed_action(is_key, ch);

	if (fixed != ACT_NONE)
		return fixed;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const key_binding *kb = &table[i];
		bool hit;

		if (is_key)
			hit = kb->fkey && ch == (wint_t)KEY_F(kb->fkey);
		else
			hit = kb->ctrl && ch == (wint_t)CTRL_KEY(kb->ctrl);
		/* Redraw works everywhere; others only where offered. */
		if (hit && (kb->act == ACT_REDRAW || (kb->screens & ctx)))
			return kb->act;
	}
	return ACT_NONE;
}

void
keys_describe(const key_binding *kb, char *buf, size_t size)
{
	if (kb->fkey && kb->ctrl)
		snprintf(buf, size, "F%d/^%c", kb->fkey, kb->ctrl);
	else if (kb->fkey)
		snprintf(buf, size, "F%d", kb->fkey);
	else if (kb->ctrl)
		snprintf(buf, size, "^%c", kb->ctrl);
	else
		buf[0] = '\0';
}

static const struct {
	const char *name;
	bool is_key;
	wint_t ch;
} names[] = {
	{ "Tab", false, '\t' },     { "S-Tab", true, KEY_BTAB },
	{ "Enter", false, '\r' },   { "Esc", false, 27 },
	{ "Up", true, KEY_UP },     { "Down", true, KEY_DOWN },
	{ "Left", true, KEY_LEFT }, { "Right", true, KEY_RIGHT },
	{ "Home", true, KEY_HOME }, { "End", true, KEY_END },
	{ "PgUp", true, KEY_PPAGE }, { "PgDn", true, KEY_NPAGE },
	{ "BS", true, KEY_BACKSPACE }, { "Del", true, KEY_DC },
	{ "Space", false, ' ' },    { "Lt", false, '<' },
};

size_t
keys_parse_name(const char *s, bool *is_key, wint_t *ch)
{
	const char *close;
	size_t len;

	if (s[0] != '<' || (close = strchr(s, '>')) == NULL)
		return 0;
	len = (size_t)(close - s - 1);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i].name) == len && strncasecmp(s + 1, names[i].name, len) == 0) {
			*is_key = names[i].is_key;
			*ch = names[i].ch;
			return len + 2;
		}
	if ((s[1] == 'F' || s[1] == 'f') && len >= 2 && len <= 3) {
		int n = 0;
		for (size_t i = 2; i <= len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return 0;
			n = n * 10 + (s[i] - '0');
		}
		if (n < 1 || n > 12)
			return 0;
		*is_key = true;
		*ch = (wint_t)KEY_F(n);
		return len + 2;
	}
	if (len == 3 && (s[1] == 'C' || s[1] == 'c') && s[2] == '-') {
		char c = s[3];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return 0;
		*is_key = false;
		*ch = (wint_t)CTRL_KEY(c);
		return 5;
	}
	return 0;
}
