/* test_lineedit.c - the field editor model: editing, words, scrolling, wrapping. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crf/lineedit.h"
#include "crf/util.h"

#define ACUTE "\xcc\x81"        /* U+0301 COMBINING ACUTE ACCENT */
#define FFFD "\xef\xbf\xbd"

/* The text as UTF-8 in a rotating static buffer. */
static const char *
txt(const lineedit *le)
{
	static char buf[4][256];
	static int k;
	char *s = lineedit_text(le);

	k = (k + 1) % 4;
	str_copy(buf[k], s, sizeof buf[k]);
	free(s);
	return buf[k];
}

static void
type(lineedit *le, const wchar_t *s)
{
	for (; *s; s++)
		assert_true(lineedit_insert(le, *s));
}

static void
go(lineedit *le, size_t pos)
{
	assert_true(pos <= le->len);
	le->cur = pos;
}

/* Render single-line; returns the cursor column, the text in out. */
static char out[256];
static bool ml, mr;

static int
render(lineedit *le, int width)
{
	ml = mr = true;
	memset(out, 'X', sizeof out);
	return lineedit_render(le, width, out, sizeof out, &ml, &mr);
}

static const char *
row(const lineedit *le, int width, int r)
{
	static char buf[256];

	memset(buf, 'X', sizeof buf);
	lineedit_row_text(le, width, r, buf, sizeof buf);
	return buf;
}

static void
assert_rowcol(const lineedit *le, int width, int er, int ec)
{
	int r = -1, c = -1;

	lineedit_cursor_rowcol(le, width, &r, &c);
	assert_int_equal(r, er);
	assert_int_equal(c, ec);
}

static void
test_init_roundtrip(void **state)
{
	const char *s = "h\xc3\xa9llo \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80!";
	lineedit le;

	(void)state;
	lineedit_init(&le, s, 0, false);
	assert_int_equal(le.len, 11);
	assert_int_equal(le.cur, 11);
	assert_false(le.changed);
	assert_true(le.buf[9] == (wchar_t)0x1f600);
	assert_true(le.buf[le.len] == L'\0');
	assert_string_equal(txt(&le), s);
	assert_int_equal(lineedit_width(&le), 14);
	lineedit_free(&le);

	lineedit_init(&le, NULL, 0, false);
	assert_int_equal(le.len, 0);
	assert_string_equal(txt(&le), "");
	assert_true(lineedit_insert(&le, (wchar_t)0x1f600));
	assert_true(lineedit_insert(&le, (wchar_t)0x10ffff));
	assert_string_equal(txt(&le), "\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf");
	lineedit_free(&le);
}

static void
test_invalid_utf8(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "a\xff" "b", 0, false);
	assert_int_equal(le.len, 3);
	assert_string_equal(txt(&le), "a" FFFD "b");

	lineedit_set(&le, "x\xe4\xb8");
	assert_string_equal(txt(&le), "x" FFFD);

	lineedit_set(&le, "\xc0\xaf");
	assert_string_equal(txt(&le), FFFD FFFD);

	lineedit_set(&le, "\xed\xa0\x80z");
	assert_true(utf8_valid(txt(&le)));
	assert_true(le.buf[0] == (wchar_t)0xfffd);
	assert_true(le.buf[le.len - 1] == L'z');

	lineedit_set(&le, "\xf4\x90\x80\x80" "z");
	assert_true(utf8_valid(txt(&le)));
	assert_true(le.buf[0] == (wchar_t)0xfffd);
	assert_true(le.buf[le.len - 1] == L'z');
	lineedit_free(&le);
}

static void
test_insert(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "", 0, false);
	type(&le, L"ac");
	assert_true(lineedit_left(&le));
	assert_true(lineedit_insert(&le, L'b'));
	assert_string_equal(txt(&le), "abc");
	assert_int_equal(le.cur, 2);
	assert_true(le.changed);
	assert_true(lineedit_home(&le));
	type(&le, L"\x4e2d\x6587");
	assert_string_equal(txt(&le), "\xe4\xb8\xad\xe6\x96\x87" "abc");
	assert_int_equal(le.cur, 2);
	assert_int_equal(lineedit_width(&le), 7);
	lineedit_free(&le);
}

static void
test_insert_refused(void **state)
{
	static const wchar_t bad[] = {
		1, 0x1b, L'\t', L'\r', 0x1f, 0x7f, 0x80, 0x85, 0x9f,
		0xd800, 0xdfff, 0x110000
	};
	lineedit le;
	size_t i;

	(void)state;
	lineedit_init(&le, "ab", 0, false);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(lineedit_insert(&le, bad[i]));
	assert_false(lineedit_insert(&le, L'\0'));
	assert_false(lineedit_insert(&le, L'\n'));
	assert_string_equal(txt(&le), "ab");
	assert_int_equal(le.cur, 2);
	assert_false(le.changed);
	assert_true(lineedit_insert(&le, 0xa0));
	assert_true(lineedit_insert(&le, L' '));
	lineedit_free(&le);

	lineedit_init(&le, "ab", 0, true);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(lineedit_insert(&le, bad[i]));
	assert_false(le.changed);
	assert_true(lineedit_insert(&le, L'\n'));
	assert_string_equal(txt(&le), "ab\n");
	lineedit_free(&le);
}

static void
test_maxlen(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "", 3, false);
	type(&le, L"abc");
	assert_false(lineedit_insert(&le, L'd'));
	assert_string_equal(txt(&le), "abc");
	assert_true(lineedit_backspace(&le));
	assert_true(lineedit_insert(&le, L'x'));
	assert_string_equal(txt(&le), "abx");
	lineedit_free(&le);

	/* Characters, not columns or bytes. */
	lineedit_init(&le, "", 2, false);
	type(&le, L"\x4e2d\x6587");
	assert_false(lineedit_insert(&le, L'a'));
	assert_string_equal(txt(&le), "\xe4\xb8\xad\xe6\x96\x87");
	lineedit_free(&le);

	/* Longer stored text is kept; it may shrink but not grow. */
	lineedit_init(&le, "abcdef", 3, false);
	assert_string_equal(txt(&le), "abcdef");
	assert_false(lineedit_insert(&le, L'g'));
	assert_true(lineedit_backspace(&le));
	assert_false(lineedit_insert(&le, L'g'));
	assert_string_equal(txt(&le), "abcde");
	lineedit_free(&le);

	lineedit_init(&le, "", 0, false);
	for (int i = 0; i < 200; i++)
		assert_true(lineedit_insert(&le, L'a' + i % 26));
	assert_int_equal(le.len, 200);
	lineedit_free(&le);
}

static void
test_backspace_delete(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "abc", 0, false);
	assert_false(lineedit_delete(&le));
	assert_true(lineedit_backspace(&le));
	assert_string_equal(txt(&le), "ab");
	assert_int_equal(le.cur, 2);
	assert_true(lineedit_home(&le));
	assert_false(lineedit_backspace(&le));
	assert_true(lineedit_delete(&le));
	assert_string_equal(txt(&le), "b");
	assert_int_equal(le.cur, 0);

	lineedit_set(&le, "\xe4\xb8\xad\xe6\x96\x87");
	assert_true(lineedit_backspace(&le));
	assert_string_equal(txt(&le), "\xe4\xb8\xad");
	lineedit_free(&le);
}

static void
test_combining(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "e" ACUTE "x", 0, false);
	assert_int_equal(le.len, 3);
	assert_int_equal(lineedit_width(&le), 2);
	assert_true(lineedit_left(&le));
	assert_int_equal(le.cur, 2);
	assert_true(lineedit_left(&le));
	assert_int_equal(le.cur, 0);
	assert_true(lineedit_right(&le));
	assert_int_equal(le.cur, 2);
	assert_true(lineedit_backspace(&le));
	assert_string_equal(txt(&le), "x");

	lineedit_set(&le, "e" ACUTE "x");
	assert_true(lineedit_home(&le));
	assert_true(lineedit_delete(&le));
	assert_string_equal(txt(&le), "x");

	/* A mark typed after a letter joins it. */
	lineedit_set(&le, "e");
	assert_true(lineedit_insert(&le, 0x301));
	assert_int_equal(le.cur, 2);
	assert_true(lineedit_left(&le));
	assert_int_equal(le.cur, 0);

	/* A letter typed before a lone mark takes it over. */
	lineedit_set(&le, ACUTE "a");
	lineedit_home(&le);
	assert_true(lineedit_insert(&le, L'x'));
	assert_string_equal(txt(&le), "x" ACUTE "a");
	assert_int_equal(le.cur, 2);
	lineedit_free(&le);
}

static void
test_moves(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "ab", 0, false);
	le.changed = false;
	assert_false(lineedit_right(&le));
	assert_false(lineedit_end(&le));
	assert_true(lineedit_left(&le));
	assert_true(lineedit_left(&le));
	assert_false(lineedit_left(&le));
	assert_false(lineedit_home(&le));
	assert_true(lineedit_end(&le));
	assert_int_equal(le.cur, 2);
	assert_true(lineedit_home(&le));
	assert_int_equal(le.cur, 0);
	assert_false(lineedit_up(&le, 10));
	assert_false(lineedit_down(&le, 10));
	assert_false(le.changed);

	/* Single-line Home/End ignore a stored newline. */
	lineedit_set(&le, "ab\ncd");
	go(&le, 4);
	assert_true(lineedit_home(&le));
	assert_int_equal(le.cur, 0);
	assert_true(lineedit_end(&le));
	assert_int_equal(le.cur, 5);
	lineedit_free(&le);
}

static void
test_home_end_multiline(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "ab\ncd\nef", 0, true);
	go(&le, 4);
	assert_true(lineedit_home(&le));
	assert_int_equal(le.cur, 3);
	assert_false(lineedit_home(&le));
	assert_true(lineedit_end(&le));
	assert_int_equal(le.cur, 5);
	assert_false(lineedit_end(&le));
	go(&le, 8);
	assert_true(lineedit_home(&le));
	assert_int_equal(le.cur, 6);
	go(&le, 1);
	assert_true(lineedit_home(&le));
	assert_int_equal(le.cur, 0);
	lineedit_free(&le);
}

static void
test_words(void **state)
{
	lineedit le;

	(void)state;
	/* "Hello, 世界 foo": Hello 0-4, 世界 7-8, foo 10-12. */
	lineedit_init(&le, "Hello, \xe4\xb8\x96\xe7\x95\x8c foo", 0, false);
	assert_int_equal(le.len, 13);
	assert_true(lineedit_word_left(&le));
	assert_int_equal(le.cur, 10);
	assert_true(lineedit_word_left(&le));
	assert_int_equal(le.cur, 7);
	assert_true(lineedit_word_left(&le));
	assert_int_equal(le.cur, 0);
	assert_false(lineedit_word_left(&le));
	assert_true(lineedit_word_right(&le));
	assert_int_equal(le.cur, 5);
	assert_true(lineedit_word_right(&le));
	assert_int_equal(le.cur, 9);
	assert_true(lineedit_word_right(&le));
	assert_int_equal(le.cur, 13);
	assert_false(lineedit_word_right(&le));

	go(&le, 8);
	assert_true(lineedit_word_left(&le));
	assert_int_equal(le.cur, 7);
	go(&le, 8);
	assert_true(lineedit_word_right(&le));
	assert_int_equal(le.cur, 9);
	go(&le, 5);
	assert_true(lineedit_word_left(&le));
	assert_int_equal(le.cur, 0);

	/* A combining mark is part of its word. */
	lineedit_set(&le, "cafe" ACUTE " bar");
	lineedit_home(&le);
	assert_true(lineedit_word_right(&le));
	assert_int_equal(le.cur, 5);
	lineedit_end(&le);
	lineedit_word_left(&le);
	assert_true(lineedit_word_left(&le));
	assert_int_equal(le.cur, 0);
	lineedit_free(&le);
}

static void
test_delete_word_back(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "Hello, \xe4\xb8\x96\xe7\x95\x8c foo", 0, false);
	assert_true(lineedit_delete_word_back(&le));
	assert_string_equal(txt(&le), "Hello, \xe4\xb8\x96\xe7\x95\x8c ");
	assert_int_equal(le.cur, 10);
	assert_true(lineedit_delete_word_back(&le));
	assert_string_equal(txt(&le), "Hello, ");
	assert_int_equal(le.cur, 7);
	assert_true(lineedit_delete_word_back(&le));
	assert_string_equal(txt(&le), "");
	assert_int_equal(le.cur, 0);
	le.changed = false;
	assert_false(lineedit_delete_word_back(&le));
	assert_false(le.changed);

	lineedit_set(&le, "abc def");
	go(&le, 5);
	assert_true(lineedit_delete_word_back(&le));
	assert_string_equal(txt(&le), "abc ef");
	assert_int_equal(le.cur, 4);
	lineedit_free(&le);
}

static void
test_kill_clear(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "hello world", 0, false);
	go(&le, 5);
	assert_true(lineedit_kill_to_end(&le));
	assert_string_equal(txt(&le), "hello");
	assert_int_equal(le.cur, 5);
	assert_false(lineedit_kill_to_end(&le));
	assert_true(lineedit_clear(&le));
	assert_string_equal(txt(&le), "");
	assert_int_equal(le.cur, 0);
	le.changed = false;
	assert_false(lineedit_clear(&le));
	assert_false(le.changed);
	type(&le, L"ok");
	assert_string_equal(txt(&le), "ok");
	lineedit_free(&le);

	/* Multiline: to the end of the line, then the newline itself. */
	lineedit_init(&le, "ab\ncd", 0, true);
	go(&le, 1);
	assert_true(lineedit_kill_to_end(&le));
	assert_string_equal(txt(&le), "a\ncd");
	assert_true(lineedit_kill_to_end(&le));
	assert_string_equal(txt(&le), "acd");
	assert_int_equal(le.cur, 1);
	lineedit_free(&le);
}

static void
test_changed_flag(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "abc def", 0, true);
	assert_false(le.changed);
	lineedit_left(&le);
	lineedit_word_left(&le);
	lineedit_right(&le);
	lineedit_word_right(&le);
	lineedit_home(&le);
	lineedit_end(&le);
	lineedit_up(&le, 3);
	lineedit_down(&le, 3);
	render(&le, 3);
	lineedit_set(&le, "abc def");
	assert_false(le.changed);
	assert_false(lineedit_insert(&le, 0x1b));
	assert_false(le.changed);

	assert_true(lineedit_insert(&le, L'x'));
	assert_true(le.changed);
	le.changed = false;
	assert_true(lineedit_backspace(&le));
	assert_true(le.changed);
	le.changed = false;
	lineedit_home(&le);
	assert_true(lineedit_delete(&le));
	assert_true(le.changed);
	le.changed = false;
	lineedit_set(&le, "new");
	assert_true(le.changed);
	assert_int_equal(le.cur, 3);
	le.changed = false;
	assert_true(lineedit_kill_to_end(&le) || lineedit_clear(&le));
	assert_true(le.changed);
	lineedit_free(&le);
}

static void
test_render_short(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "abc", 0, false);
	assert_int_equal(render(&le, 10), 3);
	assert_string_equal(out, "abc");
	assert_false(ml);
	assert_false(mr);
	lineedit_home(&le);
	assert_int_equal(render(&le, 10), 0);
	assert_string_equal(out, "abc");

	/* Exactly full: the cursor at the end needs one more column. */
	lineedit_set(&le, "abcd");
	assert_int_equal(render(&le, 4), 3);
	assert_string_equal(out, "bcd");
	assert_true(ml);
	assert_false(mr);
	lineedit_home(&le);
	assert_int_equal(render(&le, 4), 0);
	assert_string_equal(out, "abcd");
	assert_false(ml);
	assert_false(mr);

	assert_int_equal(lineedit_render(&le, 0, out, sizeof out, &ml, &mr), 0);
	assert_string_equal(out, "");
	assert_int_equal(lineedit_render(&le, 5, NULL, 0, NULL, NULL), 0);

	/* Stored control characters are shown safely, one column each. */
	lineedit_set(&le, "a\tb\x1b");
	assert_int_equal(lineedit_width(&le), 4);
	assert_int_equal(render(&le, 10), 4);
	assert_string_equal(out, "a" FFFD "b" FFFD);
	assert_string_equal(txt(&le), "a\tb\x1b");
	lineedit_free(&le);
}

static void
test_render_scroll(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "abcdefghij", 0, false);
	assert_int_equal(render(&le, 5), 4);
	assert_string_equal(out, "ghij");
	assert_true(ml);
	assert_false(mr);

	lineedit_home(&le);
	assert_int_equal(render(&le, 5), 0);
	assert_string_equal(out, "abcde");
	assert_false(ml);
	assert_true(mr);

	/* Off the right edge: the cursor lands near it, with context. */
	go(&le, 5);
	assert_int_equal(render(&le, 5), 3);
	assert_string_equal(out, "cdefg");
	assert_true(ml);
	assert_true(mr);
	go(&le, 2);
	assert_int_equal(render(&le, 5), 0);
	assert_string_equal(out, "cdefg");

	/* Off the left edge: near it. */
	go(&le, 1);
	assert_int_equal(render(&le, 5), 1);
	assert_string_equal(out, "abcde");
	assert_false(ml);
	assert_true(mr);

	/* Walk right one at a time: the cursor never leaves the view. */
	lineedit_home(&le);
	for (size_t i = 0; i <= le.len; i++) {
		int c;

		go(&le, i);
		c = render(&le, 5);
		assert_true(c >= 0 && c <= 4);
		assert_true(utf8_width(out) <= 5);
		assert_int_equal((size_t)c, le.cur - le.scroll);
	}
	/* Text that shrank back under the width scrolls home. */
	lineedit_end(&le);
	render(&le, 5);
	while (le.len > 3)
		lineedit_backspace(&le);
	assert_int_equal(render(&le, 5), 3);
	assert_string_equal(out, "abc");
	assert_false(ml);
	lineedit_free(&le);
}

static void
test_render_wide(void **state)
{
	lineedit le;

	(void)state;
	/* a b c d 中 e f: 中 at columns 4-5 straddles a 5-column view. */
	lineedit_init(&le, "abcd\xe4\xb8\xad" "ef", 0, false);
	lineedit_home(&le);
	assert_int_equal(render(&le, 5), 0);
	assert_string_equal(out, "abcd ");
	assert_int_equal(utf8_width(out), 5);
	assert_true(mr);

	/* On the wide character: it is shown whole. */
	go(&le, 4);
	assert_int_equal(render(&le, 5), 2);
	assert_string_equal(out, "cd\xe4\xb8\xad" "e");
	assert_true(ml);
	assert_true(mr);

	lineedit_end(&le);
	assert_int_equal(render(&le, 5), 4);
	assert_string_equal(out, "\xe4\xb8\xad" "ef");
	assert_int_equal(le.scroll, 4);

	/* ab中文 in 4 columns. */
	lineedit_set(&le, "ab\xe4\xb8\xad\xe6\x96\x87");
	assert_int_equal(render(&le, 4), 2);
	assert_string_equal(out, "\xe6\x96\x87");
	assert_true(ml);
	assert_false(mr);
	lineedit_home(&le);
	assert_int_equal(render(&le, 4), 0);
	assert_string_equal(out, "ab\xe4\xb8\xad");
	assert_false(ml);
	assert_true(mr);

	/* All wide, every cursor position, odd width. */
	lineedit_set(&le, "\xe4\xb8\x80\xe4\xba\x8c\xe4\xb8\x89\xe5\x9b\x9b\xe4\xba\x94");
	for (size_t i = 0; i <= le.len; i++) {
		int c;

		go(&le, i);
		c = render(&le, 5);
		assert_true(c >= 0 && c <= 4);
		assert_true(utf8_width(out) <= 5);
		if (i < le.len)
			assert_true(c + 2 <= 5);
	}

	/* Too narrow for one wide character: a space, never half. */
	lineedit_home(&le);
	assert_int_equal(render(&le, 1), 0);
	assert_string_equal(out, " ");
	lineedit_free(&le);
}

static void
test_render_combining(void **state)
{
	lineedit le;

	(void)state;
	/* a b c d e+acute f g h: the view must not start at the mark. */
	lineedit_init(&le, "abcde" ACUTE "fgh", 0, false);
	assert_int_equal(render(&le, 5), 4);
	assert_string_equal(out, "e" ACUTE "fgh");
	assert_int_equal(le.scroll, 4);

	/* A stale scroll on a mark moves to its base. */
	le.scroll = 5;
	go(&le, 6);
	assert_int_equal(render(&le, 5), 1);
	assert_string_equal(out, "e" ACUTE "fgh");

	/* The mark stays with the last visible character. */
	lineedit_home(&le);
	assert_int_equal(render(&le, 5), 0);
	assert_string_equal(out, "abcde" ACUTE);
	assert_true(mr);

	/* ... and goes with a wide character shown as a space. */
	lineedit_set(&le, "abcd\xe4\xb8\xad" ACUTE "x");
	lineedit_home(&le);
	render(&le, 5);
	assert_string_equal(out, "abcd ");
	lineedit_free(&le);
}

static void
test_render_small_buffer(void **state)
{
	char small[5];
	lineedit le;

	(void)state;
	lineedit_init(&le, "\xe4\xb8\xad\xe6\x96\x87", 0, false);
	lineedit_home(&le);
	lineedit_render(&le, 10, small, sizeof small, NULL, NULL);
	assert_string_equal(small, "\xe4\xb8\xad");
	lineedit_row_text(&le, 10, 0, small, 4);
	assert_string_equal(small, "\xe4\xb8\xad");
	lineedit_row_text(&le, 10, 0, small, 3);
	assert_string_equal(small, "");
	lineedit_free(&le);
}

static void
test_multiline_wrap(void **state)
{
	lineedit le;

	(void)state;
	lineedit_init(&le, "", 0, true);
	assert_int_equal(lineedit_rows(&le, 5), 1);
	assert_string_equal(row(&le, 5, 0), "");
	assert_rowcol(&le, 5, 0, 0);

	lineedit_set(&le, "abcdefgh");
	assert_int_equal(lineedit_rows(&le, 5), 2);
	assert_string_equal(row(&le, 5, 0), "abcde");
	assert_string_equal(row(&le, 5, 1), "fgh");
	assert_string_equal(row(&le, 5, 2), "");
	assert_rowcol(&le, 5, 1, 3);
	go(&le, 5);
	assert_rowcol(&le, 5, 1, 0);
	go(&le, 4);
	assert_rowcol(&le, 5, 0, 4);

	/* A full last row: the cursor after it starts a new row. */
	lineedit_set(&le, "abcde");
	assert_int_equal(lineedit_rows(&le, 5), 2);
	assert_string_equal(row(&le, 5, 0), "abcde");
	assert_string_equal(row(&le, 5, 1), "");
	assert_rowcol(&le, 5, 1, 0);

	lineedit_set(&le, "ab\ncd");
	assert_int_equal(lineedit_rows(&le, 5), 2);
	assert_string_equal(row(&le, 5, 0), "ab");
	assert_string_equal(row(&le, 5, 1), "cd");
	go(&le, 2);
	assert_rowcol(&le, 5, 0, 2);
	go(&le, 3);
	assert_rowcol(&le, 5, 1, 0);

	lineedit_set(&le, "ab\n");
	assert_int_equal(lineedit_rows(&le, 5), 2);
	assert_rowcol(&le, 5, 1, 0);

	lineedit_set(&le, "a\n\nb");
	assert_int_equal(lineedit_rows(&le, 5), 3);
	assert_string_equal(row(&le, 5, 1), "");
	assert_string_equal(row(&le, 5, 2), "b");
	assert_rowcol(&le, 5, 2, 1);

	/* A newline right after a full row goes on the next one. */
	lineedit_set(&le, "abcde\nf");
	assert_int_equal(lineedit_rows(&le, 5), 3);
	assert_string_equal(row(&le, 5, 0), "abcde");
	assert_string_equal(row(&le, 5, 1), "");
	assert_string_equal(row(&le, 5, 2), "f");
	go(&le, 5);
	assert_rowcol(&le, 5, 1, 0);
	lineedit_free(&le);
}

static void
test_multiline_wide(void **state)
{
	lineedit le;

	(void)state;
	/* 中 does not fit in the last column: the row ends early. */
	lineedit_init(&le, "abcd\xe4\xb8\xad\xe6\x96\x87", 0, true);
	assert_int_equal(lineedit_rows(&le, 5), 2);
	assert_string_equal(row(&le, 5, 0), "abcd");
	assert_string_equal(row(&le, 5, 1), "\xe4\xb8\xad\xe6\x96\x87");
	assert_rowcol(&le, 5, 1, 4);
	go(&le, 4);
	assert_rowcol(&le, 5, 1, 0);

	lineedit_set(&le, "\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad");
	assert_int_equal(lineedit_rows(&le, 4), 2);
	assert_string_equal(row(&le, 4, 0), "\xe4\xb8\xad\xe6\x96\x87");
	assert_string_equal(row(&le, 4, 1), "\xe4\xb8\xad");
	assert_rowcol(&le, 4, 1, 2);

	/* Marks never start a row. */
	lineedit_set(&le, "abcde" ACUTE "f\nx");
	assert_int_equal(lineedit_rows(&le, 5), 3);
	assert_string_equal(row(&le, 5, 0), "abcde" ACUTE);
	assert_string_equal(row(&le, 5, 1), "f");
	assert_string_equal(row(&le, 5, 2), "x");
	go(&le, 5);
	assert_rowcol(&le, 5, 1, 0);

	/* Every position of a mixed text lies inside the rows. */
	lineedit_set(&le, "a\xe4\xb8\xad" "b\xe6\x96\x87\n\xe4\xb8\xad" "cd\xe6\x96\x87" "ef");
	for (int w = 1; w <= 7; w++) {
		int rows = lineedit_rows(&le, w);

		for (size_t i = 0; i <= le.len; i++) {
			int r, c;

			go(&le, i);
			lineedit_cursor_rowcol(&le, w, &r, &c);
			assert_true(r >= 0 && r < rows);
			assert_true(c >= 0 && c < w);
		}
		for (int r = 0; r < rows; r++)
			assert_true(utf8_width(row(&le, w, r)) <= w);
	}
	lineedit_free(&le);
}

static void
test_up_down(void **state)
{
	lineedit le;

	(void)state;
	/* Rows at width 5: "abcde" "fgh" "xy". */
	lineedit_init(&le, "abcdefgh\nxy", 0, true);
	assert_int_equal(lineedit_rows(&le, 5), 3);
	assert_true(lineedit_up(&le, 5));
	assert_int_equal(le.cur, 7);
	assert_true(lineedit_up(&le, 5));
	assert_int_equal(le.cur, 2);
	assert_false(lineedit_up(&le, 5));
	assert_int_equal(le.cur, 2);
	assert_true(lineedit_down(&le, 5));
	assert_int_equal(le.cur, 7);
	assert_true(lineedit_down(&le, 5));
	assert_int_equal(le.cur, 11);
	assert_false(lineedit_down(&le, 5));

	/* A shorter row: its end. */
	go(&le, 4);
	assert_true(lineedit_down(&le, 5));
	assert_int_equal(le.cur, 8);
	assert_rowcol(&le, 5, 1, 3);
	assert_false(le.changed);

	/* Wide characters: the nearest column not to the right. */
	lineedit_set(&le, "abc\n\xe4\xb8\xad\xe6\x96\x87");
	go(&le, 1);
	assert_true(lineedit_down(&le, 10));
	assert_int_equal(le.cur, 4);
	go(&le, 2);
	assert_true(lineedit_down(&le, 10));
	assert_int_equal(le.cur, 5);
	go(&le, 3);
	assert_true(lineedit_down(&le, 10));
	assert_int_equal(le.cur, 5);
	lineedit_end(&le);
	assert_true(lineedit_up(&le, 10));
	assert_int_equal(le.cur, 3);
	lineedit_free(&le);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_roundtrip),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_insert),
		cmocka_unit_test(test_insert_refused),
		cmocka_unit_test(test_maxlen),
		cmocka_unit_test(test_backspace_delete),
		cmocka_unit_test(test_combining),
		cmocka_unit_test(test_moves),
		cmocka_unit_test(test_home_end_multiline),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_delete_word_back),
		cmocka_unit_test(test_kill_clear),
		cmocka_unit_test(test_changed_flag),
		cmocka_unit_test(test_render_short),
		cmocka_unit_test(test_render_scroll),
		cmocka_unit_test(test_render_wide),
		cmocka_unit_test(test_render_combining),
		cmocka_unit_test(test_render_small_buffer),
		cmocka_unit_test(test_multiline_wrap),
		cmocka_unit_test(test_multiline_wide),
		cmocka_unit_test(test_up_down),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "test_lineedit: the C.UTF-8 locale is missing\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
