/* test_print.c - the printed casebook: a subject built with store calls
 * (a nurse saves, an investigator signs, a change after signing, a
 * monitor's query), printed as text and as HTML, and the copies noted in
 * the audit trail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <locale.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if __has_include(<libxml/HTMLparser.h>)
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#define HAVE_LIBXML 1
#endif

#include "crf/print.h"
#include "crf/query.h"
#include "crf/signoff.h"
#include "crf/store.h"
#include "crf/util.h"

#include "review_site.h"

static study_def *sd;

/* A value with markup in it: the HTML copy must show it, never run it. */
#define NASTY "<script>alert('x')</script> & \"Q\""

static void
at(const char *utc)
{
	setenv("CRF_NOW", utc, 1);
}

/* Save changes to a form (loaded first for its version). */
static void
save_changes(const form_key *k, form_status status, const item_change *ch, size_t n,
    const char *reason)
{
	form_data fd;
	crf_err e;
	int v;

	assert_int_equal(store_load_form(st, k, &fd, &e), CRF_OK);
	if (store_save_form(st, k, fd.version, study_form(sd, k->form)->version, status,
	    ch, n, reason, &v, &e) != CRF_OK)
		fail_msg("save: %s", e.msg);
	form_data_clear(&fd);
}

static int
setup(void **state)
{
	formdef_diags d = { 0 };
	crf_err e;

	(void)state;
	setenv("TZ", "CST-8", 1);
	tzset();
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return -1;
	if (formdef_load("tests/fixtures/study", &sd, &d) != CRF_OK)
		return -1;
	if (review_site_setup("/tmp/crf-print.XXXXXX") != 0)
		return -1;
	at("2026-03-01T02:00:00Z");
	{
		/* The nurse keys the vital signs, complete. */
		form_key vs = { subj, "scr", 1, "vs", 1 };
		item_change ch[] = {
			{ "vsdat", "2026-03-01", NULL, 0 },
			{ "temp", "36.5", NULL, 0 },
		};
		save_changes(&vs, FORM_COMPLETE, ch, 2, NULL);
	}
	{
		/* The investigator signs the form. */
		form_key vs = { subj, "scr", 1, "vs", 1 };
		signoff_target t = signoff_target_of(&vs, SCOPE_FORM);

		at("2026-03-01T02:05:00Z");
		as("pi", PI_PW);
		if (store_sign(st, &t, "pi", PI_PW, NULL, &e) != CRF_OK)
			return -1;
	}
	{
		/* A correction after the signature. */
		form_key vs = { subj, "scr", 1, "vs", 1 };
		item_change ch = { "temp", "37.2", NULL, 0 };

		at("2026-03-01T02:10:00Z");
		as("nurse", NURSE_PW);
		save_changes(&vs, FORM_COMPLETE, &ch, 1, "transcription error");
	}
	{
		/* The monitor checks it against the source, then asks about it. */
		form_key vs = { subj, "scr", 1, "vs", 1 };

		at("2026-03-01T02:15:00Z");
		as("cra", CRA_PW);
		if (store_mark_verified(st, &vs, &e) != CRF_OK)
			return -1;
		at("2026-03-01T02:20:00Z");
		if (store_raise_query(st, &vs, "temp", "Please check the temperature "
		    "against the source", NULL, &e) != CRF_OK)
			return -1;
	}
	{
		/* Demographics, incomplete: a choice, a missing code, units, a
		 * soft value confirmed, and notes with markup in them. */
		form_key dm = { subj, "scr", 1, "dm", 1 };
		item_change ch[] = {
			{ "brthdat", "1990-05-01", NULL, 0 },
			{ "sex", "F", NULL, 0 },
			{ "pregnant", NULL, "NA", 0 },
			{ "height", "170.0", NULL, 0 },
			{ "weight", "130.0", NULL, ITEM_SOFT_OK },
			{ "notes", NASTY, NULL, 0 },
		};

		at("2026-03-01T02:30:00Z");
		as("nurse", NURSE_PW);
		save_changes(&dm, FORM_INCOMPLETE, ch, 6, NULL);
	}
	{
		/* An adverse event in the log. */
		form_key ae = { subj, "", 0, "ae", 1 };
		item_change ch[] = {
			{ "aeterm", "Headache\\aura", NULL, 0 },
			{ "aeser", "N", NULL, 0 },
		};

		at("2026-03-01T02:35:00Z");
		save_changes(&ae, FORM_COMPLETE, ch, 2, NULL);
	}
	{
		/* The data manager locks the vital signs. */
		form_key vs = { subj, "scr", 1, "vs", 1 };
		signoff_target t = signoff_target_of(&vs, SCOPE_FORM);

		at("2026-03-01T02:40:00Z");
		as("dm", DM_PW);
		if (store_lock(st, &t, &e) != CRF_OK)
			return -1;
	}
	at("2026-03-01T03:00:00Z");
	return 0;
}

static int
print_teardown(void **state)
{
	formdef_free(sd);
	return teardown(state);
}

static const print_opts opts = { .lang = LANG_EN, .date_fmt = "YYYY-MM-DD",
	.printed_by = "dm" };

static char *
print_text(void)
{
	strbuf b = { 0 };
	crf_err e;

	if (print_casebook(st, sd, "TJ01-0001", PRINT_TEXT, &opts, &b, &e) != CRF_OK)
		fail_msg("print: %s", e.msg);
	return sb_steal(&b);
}

/* The line of out that is exactly want is there. */
static void
expect_line(const char *out, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = out; p != NULL && *p; ) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (len == n && memcmp(p, want, n) == 0)
			return;
		p = nl != NULL ? nl + 1 : NULL;
	}
	fprintf(stderr, "no line \"%s\" in:\n%s", want, out);
	fail();
}

/* Do lines (NULL-terminated) follow each other at p? */
static bool
lines_at(const char *p, const char *const *lines)
{
	for (size_t i = 0; lines[i] != NULL; i++) {
		size_t n = strlen(lines[i]);

		if (strncmp(p, lines[i], n) != 0 || p[n] != '\n')
			return false;
		p += n + 1;
	}
	return true;
}

/* lines (NULL-terminated) follow each other somewhere in out, whole
 * lines, in this order. */
static void
expect_lines(const char *out, const char *const *lines)
{
	for (const char *p = out; p != NULL && *p; ) {
		const char *nl = strchr(p, '\n');

		if (lines_at(p, lines))
			return;
		p = nl != NULL ? nl + 1 : NULL;
	}
	fprintf(stderr, "these lines are not in the copy:\n");
	for (size_t i = 0; lines[i] != NULL; i++)
		fprintf(stderr, "| %s\n", lines[i]);
	fprintf(stderr, "the copy:\n%s", out);
	fail();
}

static void
test_text_form(void **state)
{
	char *out = print_text();
	static const char *const facts[] = {
		"--------------------------------------------------------------------------------",
		"Vital signs (vs)                                                      scr/1 vs/1",
		"--------------------------------------------------------------------------------",
		"  Status      complete, version 2, saved 2026-03-01 10:10:00 +08:00 by nurse",
		"              (Wang Fang)",
		"  Verified    source data verified by cra (Zhao Lei), 2026-03-01 10:15:00 +08:00",
		"  Lock        locked by dm (Chen Jing), 2026-03-01 10:40:00 +08:00, form lock",
		"  Signature   Li Wei (pi), 2026-03-01 10:05:00 +08:00, form signature",
		"              Meaning: I approve the data of this form",
		"              ! changed since signed: the form's data were changed after this",
		"              signature; it must be signed again",
		"",
		"  Date                        2026-03-01",
		"  Temperature                 37.2 \xe2\x80\xa0",
		"  BSA from screening          (blank)",
		"",
		"  \xe2\x80\xa0 changed after it was first entered: the audit trail below has every value it",
		"  held.",
		"",
		"  Queries not closed: 1",
		"  Query 1     open, on Temperature (temp)",
		"              2026-03-01 10:20:00 +08:00 cra (Zhao Lei) raised: Please check the",
		"              temperature against the source",
		"",
		"  Audit trail of this form: 8 rows",
		NULL
	};
	static const char *const log[] = {
		"================================================================================",
		"Log: Adverse event (ae)",
		"================================================================================",
		"",
		"--------------------------------------------------------------------------------",
		"Adverse event (ae) #1                                                       ae/1",
		"--------------------------------------------------------------------------------",
		"  Status      complete, version 1, saved 2026-03-01 10:35:00 +08:00 by nurse",
		"              (Wang Fang)",
		"  Verified    not source-data verified",
		"  Lock        not locked",
		"  Signature   not signed",
		"",
		"  Term                        Headache\\\\aura",
		"  Serious                     No",
		"",
		"  Audit trail of this form: 3 rows",
		NULL
	};

	(void)state;
	expect_lines(out, facts);
	/* The log after the events; a field its condition hides is left out. */
	expect_lines(out, log);
	assert_null(strstr(out, "Results in death"));
	/* A backslash is doubled once (so that \\x01 cannot pass for an escape),
	 * in the values and in the trail alike. */
	expect_line(out, "          create aeterm: (blank) -> Headache\\\\aura");
	assert_true(strstr(out, "Vital signs (vs)") < strstr(out, "Log: Adverse event"));
	free(out);
}

static void
test_text_trail(void **state)
{
	char *out = print_text();
	char *seq_create = query("SELECT seq FROM audit WHERE field = 'temp' AND action = 'create'");
	char *seq_update = query("SELECT seq FROM audit WHERE field = 'temp' AND action = 'update'");
	char *seq_sign = query("SELECT seq FROM audit WHERE action = 'sign'");
	char *seq_query = query("SELECT seq FROM audit WHERE action = 'query-raise'");
	char *seq_lock = query("SELECT seq FROM audit WHERE action = 'lock'");
	char *seq_sdv = query("SELECT seq FROM audit WHERE action = 'sdv'");
	char *hash = query("SELECT new_value FROM audit WHERE action = 'sign'");
	char *l[6], *h;

	(void)state;
	l[0] = xasprintf("   %5s  2026-03-01 10:00:00 +08:00  nurse (Wang Fang)", seq_create);
	l[1] = xasprintf("   %5s  2026-03-01 10:05:00 +08:00  pi (Li Wei)", seq_sign);
	l[2] = xasprintf("   %5s  2026-03-01 10:10:00 +08:00  nurse (Wang Fang)", seq_update);
	l[3] = xasprintf("   %5s  2026-03-01 10:20:00 +08:00  cra (Zhao Lei)", seq_query);
	l[4] = xasprintf("   %5s  2026-03-01 10:40:00 +08:00  dm (Chen Jing)", seq_lock);
	l[5] = xasprintf("   %5s  2026-03-01 10:15:00 +08:00  cra (Zhao Lei)", seq_sdv);
	h = xasprintf("          %s", hash);
	expect_lines(out, (const char *const[]){ l[0],
	    "          create temp: (blank) -> 36.5", NULL });
	/* The signature row: its content hash on a line of its own. */
	expect_lines(out, (const char *const[]){ l[1],
	    "          sign: (blank) ->", h,
	    "          reason: I approve the data of this form", l[2],
	    "          update temp: 36.5 -> 37.2",
	    "          reason: transcription error", l[5],
	    "          sdv: (blank) -> verified", l[3],
	    "          query-raise temp: (blank) -> open",
	    "          reason: Please check the temperature against the source", l[4],
	    "          lock: (blank) -> form",
	    "", NULL });
	/* The subject's own rows come first, under the subject. */
	expect_lines(out, (const char *const[]){
	    "  Audit trail of the subject record: 1 row",
	    "       6  2026-03-01 10:00:00 +08:00  nurse (Wang Fang)",
	    "          subject: (blank) -> screening", NULL });
	for (int i = 0; i < 6; i++)
		free(l[i]);
	free(h);
	free(seq_create);
	free(seq_update);
	free(seq_sign);
	free(seq_query);
	free(seq_lock);
	free(seq_sdv);
	free(hash);
	free(out);
}

static void
test_text_values_and_layout(void **state)
{
	char *out = print_text();

	(void)state;
	/* Sections, choice labels, units, missing codes, confirmed values. */
	expect_lines(out, (const char *const[]){
	    "  Signature   not signed",
	    "",
	    "  -- Birth and sex -------------------------------------------------------------",
	    "  Date of birth               1990-05-01",
	    "  Sex                         F Female",
	    "  Pregnant?                   [NA] Not applicable",
	    "",
	    "  -- Body ----------------------------------------------------------------------",
	    "  Height                      170.0 cm",
	    "  Weight                      130.0 kg (outside the expected range: confirmed)",
	    "  Body surface area           (blank)",
	    NULL });
	expect_line(out, "  Notes                       <script>alert('x')</script> & \"Q\"");
	expect_lines(out, (const char *const[]){
	    "================================================================================",
	    "Casebook of subject TJ01-0001",
	    "================================================================================",
	    "  Study       Test study (TEST.STUDY), protocol T-1, form definitions version 2",
	    "  Site        TJ01 Tianjin",
	    "  Subject     TJ01-0001, screening",
	    "  Study no.   none (not enrolled)",
	    "  Added       2026-03-01 10:00:00 +08:00 by nurse (Wang Fang)",
	    "  Printed     2026-03-01 11:00:00 +08:00 by dm",
	    "  Contents    3 saved forms, 19 audit rows",
	    NULL });
	expect_lines(out, (const char *const[]){
	    "================================================================================",
	    "Screening (scr)",
	    "================================================================================",
	    NULL });
	expect_lines(out, (const char *const[]){
	    "================================================================================",
	    "End of the casebook of subject TJ01-0001: 3 saved forms, 19 audit rows.",
	    NULL });
	assert_true(str_ends(out, "audit rows.\n"));
	/* Demographics come before the vital signs: the event's order. */
	assert_true(strstr(out, "Demographics (dm)") < strstr(out, "Vital signs (vs)"));
	/* No line is wider than the page. */
	for (char *p = out, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (utf8_width(p) > PRINT_WIDTH)
			fail_msg("line wider than %d: \"%s\"", PRINT_WIDTH, p);
		*nl = '\n';
	}
	free(out);
}

static void
test_text_ascii(void **state)
{
	print_opts o = opts;
	strbuf b = { 0 };
	crf_err e;

	(void)state;
	o.ascii = true;
	assert_int_equal(print_casebook(st, sd, "TJ01-0001", PRINT_TEXT, &o, &b, &e), CRF_OK);
	for (size_t i = 0; i < b.len; i++)
		assert_true((unsigned char)b.s[i] < 0x80);
	expect_line(b.s, "  Temperature                 37.2 +");
	sb_free(&b);
}

static void
test_unknown_subject(void **state)
{
	strbuf b = { 0 };
	crf_err e;

	(void)state;
	assert_int_equal(print_casebook(st, sd, "TJ01-0099", PRINT_TEXT, &opts, &b, &e),
	    CRF_ENOENT);
	assert_string_equal(e.msg, "there is no subject TJ01-0099");
	assert_int_equal(print_casebook(st, sd, "", PRINT_TEXT, &opts, &b, &e), CRF_EINVAL);
	sb_free(&b);
}

#ifdef HAVE_LIBXML
static int xml_errors;

static void
count_error(void *ctx, const xmlError *err)
{
	(void)ctx;
	fprintf(stderr, "libxml2: %s", err->message);
	xml_errors++;
}

/* Number of nodes matching xpath in doc. */
static int
xpath_count(xmlDocPtr doc, const char *xpath)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	int n = r != NULL && r->nodesetval != NULL ? r->nodesetval->nodeNr : -1;

	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	return n;
}

/* The text of the first node matching xpath (owned). */
static char *
xpath_text(xmlDocPtr doc, const char *xpath)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	char *out = NULL;

	if (r != NULL && r->nodesetval != NULL && r->nodesetval->nodeNr > 0) {
		xmlChar *t = xmlNodeGetContent(r->nodesetval->nodeTab[0]);

		out = xstrdup((const char *)t);
		xmlFree(t);
	}
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	return out;
}
#endif

static void
test_html(void **state)
{
	strbuf b = { 0 };
	crf_err e;

	(void)state;
	assert_int_equal(print_casebook(st, sd, "TJ01-0001", PRINT_HTML, &opts, &b, &e), CRF_OK);
	/* Self-contained: no script, nothing fetched from elsewhere. */
	assert_non_null(strstr(b.s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
	    "&quot;Q&quot;"));
	assert_null(strstr(b.s, "<script"));
	assert_null(strstr(b.s, "src="));
	assert_null(strstr(b.s, "href="));
	assert_null(strstr(b.s, "@import"));
	assert_null(strstr(b.s, "url("));
	assert_true(str_starts(b.s, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\"/>\n<title>Casebook of subject TJ01-0001</title>\n<style>"));
	assert_true(str_ends(b.s, "</body>\n</html>\n"));
	assert_non_null(strstr(b.s, "page-break-before:always"));
	assert_non_null(strstr(b.s, "changed since signed"));
#ifdef HAVE_LIBXML
	{
		htmlDocPtr doc;
		xmlDocPtr xdoc;
		char *t;

		/* Parsed as HTML without a single complaint... */
		xml_errors = 0;
		xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)count_error);
		doc = htmlReadMemory(b.s, (int)b.len, "casebook.html", "UTF-8",
		    HTML_PARSE_NONET);
		assert_non_null(doc);
		assert_int_equal(xml_errors, 0);
		assert_int_equal(xpath_count(doc, "//script"), 0);
		assert_int_equal(xpath_count(doc, "//link"), 0);
		assert_int_equal(xpath_count(doc, "//*[@src or @href]"), 0);
		assert_int_equal(xpath_count(doc, "//div[@class='event']"), 2);
		assert_int_equal(xpath_count(doc, "//div[@class='form']"), 3);
		/* ... the markup of the value is text, shown as typed. */
		t = xpath_text(doc, "//tr[th='Notes']/td");
		assert_non_null(t);
		assert_string_equal(t, NASTY);
		free(t);
		t = xpath_text(doc, "//tr[th='Temperature']/td");
		assert_string_equal(t, "37.2 \xe2\x80\xa0");
		free(t);
		t = xpath_text(doc, "//tr[th='Signature']/td/span[@class='warn']");
		assert_non_null(t);
		assert_true(str_starts(t, "! changed since signed"));
		free(t);
		assert_int_equal(xpath_count(doc, "//table[@class='trail']"), 4);
		xmlFreeDoc(doc);
		/* ... and well-formed as XML too. */
		xdoc = xmlReadMemory(b.s, (int)b.len, "casebook.xhtml", "UTF-8", XML_PARSE_NONET);
		assert_non_null(xdoc);
		assert_int_equal(xml_errors, 0);
		xmlFreeDoc(xdoc);
		xmlSetStructuredErrorFunc(NULL, NULL);
	}
#else
	{
		/* Without libxml2: every element opened is closed. */
		static const char *const tags[] = { "div", "table", "tr", "td", "th",
		    "h2", "h3", "h4", "p", "span" };

		for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
			char *open = xasprintf("<%s", tags[i]), *close = xasprintf("</%s>", tags[i]);
			size_t no = 0, nc = 0;

			for (const char *p = b.s; (p = strstr(p, open)) != NULL; p++)
				no += p[strlen(open)] == '>' || p[strlen(open)] == ' ';
			for (const char *p = b.s; (p = strstr(p, close)) != NULL; p++)
				nc++;
			assert_int_equal(no, nc);
			free(open);
			free(close);
		}
	}
#endif
	sb_free(&b);
}

static void
test_file_audited(void **state)
{
	char *want = path_join(dir, "tj01-0001.html");
	char *got = NULL, *text, *sql;
	crf_err e;
	struct stat sb;

	(void)state;
	assert_int_equal(print_casebook_file(st, sd, "TJ01-0001", PRINT_HTML, &opts, want,
	    NULL, &got, &e), CRF_OK);
	assert_string_equal(got, want);
	text = file_read_all(want, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "&lt;script&gt;"));
	free(text);
	assert_int_equal(stat(want, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	sql = xasprintf("SELECT count(*) FROM audit WHERE action = 'export' AND user = 'dm'"
	    " AND new_value = 'print html' AND subject = 'TJ01-0001' AND reason = '%s'", want);
	expect_query(sql, "1");
	free(sql);
	free(got);

	/* A name of its own in a folder, never over another copy. */
	assert_int_equal(print_casebook_file(st, sd, "TJ01-0001", PRINT_TEXT, &opts, NULL,
	    dir, &got, &e), CRF_OK);
	{
		char *name = path_join(dir, "casebook-TJ01-0001-20260301T030000Z.txt");

		assert_string_equal(got, name);
		free(name);
	}
	free(got);
	assert_int_equal(print_casebook_file(st, sd, "TJ01-0001", PRINT_TEXT, &opts, NULL,
	    dir, &got, &e), CRF_OK);
	{
		char *name = path_join(dir, "casebook-TJ01-0001-20260301T030000Z-2.txt");

		assert_string_equal(got, name);
		free(name);
	}
	free(got);
	expect_query("SELECT count(*) FROM audit WHERE action = 'export'"
	    " AND new_value = 'print text'", "2");
	/* Never over a database: the site's own file stays what it is. */
	assert_int_equal(print_casebook_file(st, sd, "TJ01-0001", PRINT_TEXT, &opts, path,
	    NULL, &got, &e), CRF_EEXIST);
	assert_non_null(strstr(e.msg, "is a database: a printed copy never replaces one"));
	assert_null(got);
	expect_query("SELECT count(*) FROM audit WHERE action = 'export'"
	    " AND new_value = 'print text'", "2");
	free(want);
}

/* No copy leaves crf unaudited: a role that may not export gets none. */
static void
test_denied_leaves_nothing(void **state)
{
	char *sub = path_join(dir, "nurse");
	char *want = path_join(sub, "copy.txt");
	char *got = (char *)"unchanged";
	crf_err e;
	DIR *d;
	struct dirent *de;
	int files = 0;

	(void)state;
	assert_int_equal(mkdir(sub, 0700), 0);
	as("nurse", NURSE_PW);
	assert_int_equal(print_casebook_file(st, sd, "TJ01-0001", PRINT_TEXT, &opts, want,
	    NULL, &got, &e), CRF_EDENIED);
	assert_null(got);
	d = opendir(sub);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		files += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 0);
	{
		FILE *fp = tmpfile();

		assert_non_null(fp);
		assert_int_equal(print_casebook_stream(st, sd, "TJ01-0001", PRINT_TEXT, &opts,
		    fp, "standard output", &e), CRF_EDENIED);
		assert_int_equal(ftell(fp), 0);
		fclose(fp);
	}
	as("dm", DM_PW);
	free(want);
	free(sub);
}

static void
test_file_name(void **state)
{
	char *n = print_file_name("TJ01/0001 x", PRINT_HTML, (time_t)1772330400);

	(void)state;
	assert_string_equal(n, "casebook-TJ01_0001_x-20260301T020000Z.html");
	free(n);
	assert_string_equal(print_what(PRINT_TEXT), "print text");
	assert_string_equal(print_what(PRINT_HTML), "print html");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_form),
		cmocka_unit_test(test_text_trail),
		cmocka_unit_test(test_text_values_and_layout),
		cmocka_unit_test(test_text_ascii),
		cmocka_unit_test(test_unknown_subject),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_file_audited),
		cmocka_unit_test(test_denied_leaves_nothing),
		cmocka_unit_test(test_file_name),
	};

	return cmocka_run_group_tests(tests, setup, print_teardown);
}
