/* bench_core.c - how long the model takes for what a person waits on:
 * loading the study's forms (part of start-up), saving a form (one
 * transaction with its audit rows, synchronous=FULL), and recalculating a
 * form after a keystroke.  Prints one line per measure; tests/bench.sh
 * runs it and docs/benchmarks.md records the numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crf/formdef.h"
#include "crf/record.h"
#include "crf/store.h"
#include "crf/util.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *v, int n, const char *unit, double scale)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	printf("%-40s median %8.3f %s   p95 %8.3f %s   (n=%d)\n", what,
	    v[n / 2] * scale, unit, v[(n * 95) / 100] * scale, unit, n);
}

int
main(int argc, char **argv)
{
	const char *forms = argc > 1 ? argv[1] : "forms";
	double t[200];
	study_def *sd = NULL;
	formdef_diags d = {0};
	char tmpl[] = "/tmp/crf-bench.XXXXXX";
	char *dir, *path;
	store *st;
	crf_err e;
	subject_row subj;
	const form_def *dm;

	for (int i = 0; i < 50; i++) {
		double t0 = now_ms();
		if (formdef_load(forms, &sd, &d) != CRF_OK) {
			fprintf(stderr, "bench: the forms in %s do not load\n", forms);
			return 1;
		}
		t[i] = now_ms() - t0;
		if (i < 49)
			formdef_free(sd);
	}
	report("load every form definition", t, 50, "ms", 1);

	dir = mkdtemp(tmpl);
	path = path_join(dir, "site.db");
	if (store_create(path, "BENCH", "Bench site", &st, &e) != CRF_OK ||
	    store_add_subject(st, &subj, &e) != CRF_OK) {
		fprintf(stderr, "bench: %s\n", e.msg);
		return 1;
	}
	store_set_user(st, "bench");
	dm = study_form(sd, "dm");
	if (dm == NULL) {
		fprintf(stderr, "bench: no form dm\n");
		return 1;
	}
	{
		record *r = record_new(sd, dm, "scr", 1, 1, NULL, NULL);
		size_t h = form_field(dm, "height") ? form_field(dm, "height")->index : 0;
		size_t w = form_field(dm, "weight") ? form_field(dm, "weight")->index : 0;
		int version = 0;

		record_set(r, h, "170", NULL, true, &e);
		for (int i = 0; i < 200; i++) {
			char val[16];
			double t0;
			snprintf(val, sizeof val, "%d", 50 + i % 60);
			t0 = now_ms();
			record_set(r, w, val, NULL, true, &e);
			t[i] = now_ms() - t0;
		}
		report("validate + recalculate after a key", t, 200, "us", 1000);

		for (int i = 0; i < 100; i++) {
			char val[16];
			size_t n;
			const item_change *ch;
			form_key key = { subj.id, "scr", 1, "dm", 1 };
			double t0;

			snprintf(val, sizeof val, "%d", 50 + i % 60);
			record_set(r, w, val, NULL, true, &e);
			ch = record_changes(r, &n);
			t0 = now_ms();
			if (store_save_form(st, &key, version, dm->version, FORM_INCOMPLETE, ch, n,
			    NULL, &version, &e) != CRF_OK) {
				fprintf(stderr, "bench: %s\n", e.msg);
				return 1;
			}
			t[i] = now_ms() - t0;
			record_saved(r, FORM_INCOMPLETE, version);
		}
		report("save a form (fsync'd transaction)", t, 100, "ms", 1);
		record_free(r);
	}
	store_close(st);
	subject_row_clear(&subj);
	formdef_free(sd);
	formdef_diags_free(&d);
	{
		char *p = xasprintf("rm -rf '%s'", dir);
		if (system(p) != 0)
			fprintf(stderr, "bench: could not remove %s\n", dir);
		free(p);
	}
	free(path);
	return 0;
}
