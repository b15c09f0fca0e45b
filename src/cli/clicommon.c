/* clicommon.c - configuration and study loading for the subcommands. */
#include <stdlib.h>
#include <string.h>

#include "crf/clicommon.h"
#include "crf/odm.h"
#include "crf/util.h"

int
cli_load_config(const cli_opts *o, crf_config *cfg)
{
	char *path = config_locate(o->config_path);
	crf_err e;
	crf_status rc = config_load(path, cfg, &e);

	if (rc != CRF_OK) {
		if (rc == CRF_EIO)
			fprintf(stderr, "crf: no usable configuration: %s\n"
			    "crf: give one with -c FILE or CRF_CONFIG (see README.md)\n", e.msg);
		else
			fprintf(stderr, "%s\ncrf: the configuration has problems; nothing was done\n",
			    e.msg);
		free(path);
		return 1;
	}
	free(path);
	return 0;
}

static int
cmp_diag(const void *a, const void *b)
{
	const formdef_diag *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	return x->line - y->line;
}

size_t
cli_load_study(const char *dir, study_def **out, FILE *fp)
{
	formdef_diags d = {0};
	size_t n;

	if (formdef_load(dir, out, &d) == CRF_OK) {
		formdef_diags_free(&d);
		return 0;
	}
	/* A stable order: file, then line, then as found. */
	for (size_t i = 1; i < d.n; i++) {
		formdef_diag t = d.items[i];
		size_t j = i;
		while (j > 0 && cmp_diag(&d.items[j - 1], &t) > 0) {
			d.items[j] = d.items[j - 1];
			j--;
		}
		d.items[j] = t;
	}
	for (size_t i = 0; i < d.n; i++) {
		if (d.items[i].line > 0)
			fprintf(fp, "%s:%d: %s\n", d.items[i].file, d.items[i].line, d.items[i].msg);
		else
			fprintf(fp, "%s: %s\n", d.items[i].file, d.items[i].msg);
	}
	n = d.n ? d.n : 1;
	formdef_diags_free(&d);
	return n;
}

char *
cli_odm_schema(void)
{
	char *schema = odm_schema_find();

	if (schema == NULL)
		fprintf(stderr, "crf: the ODM schema (schema/odm132/" ODM_SCHEMA_FILE ") is not "
		    "found; set CRF_ODM_SCHEMA to its path\n");
	return schema;
}
