/* ui.c - curses set-up, keys in (terminal or script), styled text out. */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "crf/ui.h"
#include "crf/util.h"

volatile sig_atomic_t ui_hangup;

static bool active;
static bool utf8;
static bool color;
static SCREEN *headless;
static FILE *script;           /* CRF_SCRIPT: keys and commands */
static FILE *null_out, *null_in;
static wint_t pending[512];    /* keys of the current script line */
static bool pending_is_key[512];
static size_t npending, ipending;
static attr_t styles[ST_COUNT];
static struct timespec last_key;   /* monotonic time of the last real key */
static long script_idle_ticks;      /* script mode: :tick lines since a key */

static void
on_signal(int sig)
{
	(void)sig;
	ui_hangup = 1;
}

static void
set_styles(void)
{
	/* Monochrome first: every style is legible without colour. */
	styles[ST_NORMAL] = A_NORMAL;
	styles[ST_TITLE] = A_REVERSE | A_BOLD;
	styles[ST_HEADER] = A_BOLD;
	styles[ST_SELECTED] = A_REVERSE;
	styles[ST_INPUT] = A_UNDERLINE;
	styles[ST_ERROR] = A_BOLD;
	styles[ST_WARN] = A_BOLD;
	styles[ST_DIM] = A_NORMAL;
	styles[ST_OK] = A_NORMAL;
	styles[ST_KEY] = A_REVERSE;
	if (!color)
		return;
	init_pair(1, COLOR_WHITE, COLOR_BLUE);
	init_pair(2, COLOR_RED, -1);
	init_pair(3, COLOR_YELLOW, -1);
	init_pair(4, COLOR_CYAN, -1);
	init_pair(5, COLOR_GREEN, -1);
	styles[ST_TITLE] = COLOR_PAIR(1) | A_BOLD;
	styles[ST_ERROR] = COLOR_PAIR(2) | A_BOLD;
	styles[ST_WARN] = COLOR_PAIR(3) | A_BOLD;
	styles[ST_DIM] = COLOR_PAIR(4);
	styles[ST_OK] = COLOR_PAIR(5);
}

crf_status
ui_init(crf_err *err)
{
	const char *sp = getenv("CRF_SCRIPT");
	struct sigaction sa;

	utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	if (sp && *sp) {
		script = fopen(sp, "r");
		if (script == NULL)
			return crf_fail(err, CRF_EIO, "cannot read the script %s: %s", sp,
			    strerror(errno));
		null_out = fopen("/dev/null", "w");
		null_in = fopen("/dev/null", "r");
		headless = newterm(getenv("TERM") ? NULL : "xterm", null_out, null_in);
		if (headless == NULL)
			return crf_fail(err, CRF_EIO, "cannot start the headless screen");
		set_term(headless);
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
			return crf_fail(err, CRF_EUSAGE, "the full-screen program needs a terminal");
		if (initscr() == NULL)
			return crf_fail(err, CRF_EIO, "cannot start the terminal (TERM=%s)",
			    getenv("TERM") ? getenv("TERM") : "");
	}
	active = true;
	raw();                 /* ^C ^Z ^S ^Q reach the program */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	meta(stdscr, TRUE);
	timeout(UI_TICK_MS);
	if (!script) {
		/* No XON/XOFF: Ctrl-S and Ctrl-Q are keys here. */
		struct termios t;
		if (tcgetattr(STDIN_FILENO, &t) == 0) {
			t.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
			tcsetattr(STDIN_FILENO, TCSANOW, &t);
		}
	}
	color = has_colors() && getenv("NO_COLOR") == NULL;
	if (color) {
		start_color();
		use_default_colors();
	}
	set_styles();

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;   /* no SA_RESTART: get_wch returns */
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	crf_fatal_hook = ui_end;
	clock_gettime(CLOCK_MONOTONIC, &last_key);
	return CRF_OK;
}

void
ui_end(void)
{
	if (!active)
		return;
	active = false;
	endwin();
	if (headless) {
		delscreen(headless);
		headless = NULL;
	}
	if (script)
		fclose(script);
	if (null_out)
		fclose(null_out);
	if (null_in)
		fclose(null_in);
	script = null_out = null_in = NULL;
}

long
ui_idle_seconds(void)
{
	struct timespec now;

	if (script)
		return script_idle_ticks * (UI_TICK_MS / 1000);
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - last_key.tv_sec);
}

int ui_rows(void) { return LINES; }
int ui_cols(void) { return COLS; }
bool ui_utf8(void) { return utf8; }

void
ui_dump(const char *path)
{
	FILE *fp = fopen(path, "w");
	wchar_t *row = xmalloc(((size_t)COLS + 1) * sizeof *row);
	char *out = xmalloc((size_t)COLS * MB_CUR_MAX + 1);

	if (fp == NULL) {
		free(row);
		free(out);
		return;
	}
	for (int y = 0; y < LINES; y++) {
		size_t n;
		mvinnwstr(y, 0, row, COLS);
		n = wcstombs(out, row, (size_t)COLS * MB_CUR_MAX);
		if (n == (size_t)-1)
			n = 0;
		out[n] = '\0';
		while (n > 0 && out[n - 1] == ' ')
			out[--n] = '\0';
		fprintf(fp, "%s\n", out);
	}
	fclose(fp);
	free(row);
	free(out);
}

/* Read the next script line into pending keys; false at the end. */
static bool
script_line(void)
{
	char line[2048];

	while (fgets(line, sizeof line, script)) {
		char *p = line;
		size_t n = strlen(line);

		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '#' || n == 0)
			continue;
		if (line[0] == ':') {
			int c, r;
			if (strncmp(line, ":dump ", 6) == 0) {
				refresh();
				ui_dump(str_trim(line + 6));
			} else if (sscanf(line, ":resize %d %d", &c, &r) == 2) {
				resizeterm(r, c);
				npending = 1;
				ipending = 0;
				pending[0] = KEY_RESIZE;
				pending_is_key[0] = true;
				return true;
			} else if (strcmp(line, ":hangup") == 0) {
				ui_hangup = 1;
				return false;
			} else if (strcmp(line, ":quit") == 0) {
				return false;
			} else if (strcmp(line, ":tick") == 0) {
				script_idle_ticks++;
				npending = 1;
				ipending = 0;
				pending[0] = UI_KEY_TICK;
				pending_is_key[0] = true;
				return true;
			}
			continue;
		}
		npending = ipending = 0;
		while (*p && npending < sizeof pending / sizeof pending[0]) {
			bool is_key;
			wint_t ch;
			size_t used = keys_parse_name(p, &is_key, &ch);
			if (used == 0) {
				wchar_t wc;
				mbstate_t st;
				memset(&st, 0, sizeof st);
				used = mbrtowc(&wc, p, strlen(p), &st);
				if (used == (size_t)-1 || used == (size_t)-2 || used == 0)
					used = 1, wc = (unsigned char)*p;
				is_key = false;
				ch = (wint_t)wc;
			}
			pending[npending] = ch;
			pending_is_key[npending++] = is_key;
			p += used;
		}
		if (npending)
			return true;
	}
	return false;
}

bool
ui_next_key(ui_key *k)
{
	if (ui_hangup)
		return false;
	if (script) {
		if (ipending >= npending && !script_line())
			return false;
		k->is_key = pending_is_key[ipending];
		k->ch = pending[ipending++];
		if (!(k->is_key && k->ch == UI_KEY_TICK))
			script_idle_ticks = 0;
		return true;
	}
	for (;;) {
		wint_t ch;
		int rc = get_wch(&ch);
		if (ui_hangup)
			return false;
		if (rc == ERR) {
			if (errno == EINTR)
				continue;
			/* The terminal is gone (EOF on a dropped line). */
			if (!isatty(STDIN_FILENO))
				return false;
			k->is_key = true;   /* no key for UI_TICK_MS */
			k->ch = UI_KEY_TICK;
			return true;
		}
		k->is_key = rc == KEY_CODE_YES;
		k->ch = ch;
		clock_gettime(CLOCK_MONOTONIC, &last_key);
		if (!k->is_key && ch == 127)
			k->is_key = true, k->ch = KEY_BACKSPACE;
		if (!k->is_key && ch == 8)
			k->is_key = true, k->ch = KEY_BACKSPACE;
		return true;
	}
}

int
ui_put(int y, int x, int maxw, ui_style st, const char *s)
{
	int used = 0;
	mbstate_t mbs;

	if (y < 0 || y >= LINES || x >= COLS || maxw <= 0)
		return 0;
	if (x + maxw > COLS)
		maxw = COLS - x;
	memset(&mbs, 0, sizeof mbs);
	attrset(styles[st]);
	move(y, x);
	if (!utf8) {
		/* An ASCII terminal: decode the UTF-8 text ourselves and show
		 * each character that has a plain stand-in as that. */
		while (*s && used < maxw) {
			unsigned long cp;
			int n = utf8_next(s, &cp);
			const char *alt;
			char one[2] = { '?', 0 };

			if (n == 0) {
				n = 1;
				alt = one;
			} else if (cp < 0x80) {
				one[0] = cp < 0x20 || cp == 0x7f ? ' ' : (char)cp;
				alt = one;
			} else if ((alt = ascii_fallback(cp)) == NULL) {
				alt = one;
			}
			for (; *alt && used < maxw; alt++, used++)
				addch((chtype)(unsigned char)*alt | styles[st]);
			s += n;
		}
		attrset(A_NORMAL);
		return used;
	}
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, strlen(s), &mbs);
		int w;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			wc = L'?';
			n = 1;
			memset(&mbs, 0, sizeof mbs);
		}
		if (wc < 0x20 || wc == 0x7f)
			wc = L' ';
		w = wcwidth(wc);
		if (w < 0)
			w = 1, wc = L'?';
		if (used + w > maxw)
			break;
		if (w == 0 && used == 0) {
			s += n;
			continue;
		}
		{
			cchar_t cc;
			wchar_t str[2] = { wc, 0 };
			setcchar(&cc, str, styles[st], 0, NULL);
			add_wch(&cc);
		}
		used += w;
		s += n;
	}
	attrset(A_NORMAL);
	return used;
}

int
ui_putf(int y, int x, int maxw, ui_style st, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return ui_put(y, x, maxw, st, buf);
}

void
ui_fill(int y, int x, int w, ui_style st)
{
	if (y < 0 || y >= LINES)
		return;
	attrset(styles[st]);
	for (int i = 0; i < w && x + i < COLS; i++)
		mvaddch(y, x + i, ' ');
	attrset(A_NORMAL);
}

void
ui_message(ui_style st, const char *msg)
{
	int y = LINES - 2;

	move(y, 0);
	clrtoeol();
	if (msg && *msg)
		ui_put(y, 0, COLS, st, msg);
}

void
ui_keybar(unsigned ctx, crf_role role)
{
	size_t n;
	const key_binding *t = keys_table(&n);
	int y = LINES - 1, x = 0;

	move(y, 0);
	clrtoeol();
	for (size_t i = 0; i < n; i++) {
		char keyname[16];
		int need;

		if (!(t[i].screens & ctx) || !t[i].bar[0] || !keys_allowed(&t[i], role))
			continue;
		/* Control keys work on every terminal; F-keys are in the help. */
		if (t[i].ctrl)
			snprintf(keyname, sizeof keyname, "^%c", t[i].ctrl);
		else
			snprintf(keyname, sizeof keyname, "F%d", t[i].fkey);
		need = (int)strlen(keyname) + (int)strlen(t[i].bar) + 1;
		if (x + need > COLS + 1)    /* the last one needs no space after it */
			continue;
		x += ui_put(y, x, COLS - x, ST_KEY, keyname);
		x += ui_put(y, x + 1, COLS - x - 1, ST_NORMAL, t[i].bar) + 2;
	}
}

void
ui_cursor(int y, int x)
{
	curs_set(1);
	move(y, x);
}

void
ui_no_cursor(void)
{
	curs_set(0);
}

void
ui_begin(void)
{
	erase();
}

void
ui_flush(void)
{
	refresh();
}
