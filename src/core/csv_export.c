/*
 * csv_export.c - the CSV export for statisticians (csv_export.h).
 *
 * Design notes.
 *
 * Columns.  The columns of every file are decided before a row is
 * written, from the definitions and one read of the data: a field is a
 * column unless it is descriptive text or an identifier left out, and it
 * has a companion NAME_MISS column when its definition allows a
 * missing-data code - or when a code is stored for it anyway (saved
 * before the definition changed), so that no stored code is ever lost.
 * The data dictionary and the R script are written from the same layout,
 * so the three always agree.
 *
 * Rows.  Subjects in key order; within a subject, form instances in
 * casebook order: events in schedule order (repeats in turn), the forms
 * of an event in its order, then the logs; repeats ascending.  Subject
 * by subject, so memory stays that of one casebook.
 *
 * All or nothing.  Each file is written as DIR/.NAME.part and renamed to
 * DIR/NAME only when every file is complete and the export is in the
 * audit trail; a failure removes the .part files.  A write error (a full
 * disk) is caught where it happens, with its errno.
 *
 * A site's slice of the central database.  The subjects are filtered by
 * their key ("TJ01-0007") right after they are listed, before the first
 * read of the data, so that everything decided from the data (a NAME_MISS
 * column for a stored code its definition no longer allows) is decided
 * from that site's subjects alone, as at the site: the data files are the
 * site's own, byte for byte.  The `site` column is the subject's site,
 * never the centre's code.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crf/central.h"
#include "crf/config.h"
#include "crf/csv_export.h"
#include "crf/redcap.h"
#include "crf/util.h"
#include "crf/version.h"
#include "store_impl.h"

#define COL_OUT  0x1        /* the field is a column */
#define COL_MISS 0x2        /* ... with a NAME_MISS column */

/* The key columns of the wide files, and of the long file. */
static const char *const wide_keys[] = {
	"subject", "study_no", "site", "event", "event_repeat", "form_repeat",
};
static const char *const long_cols[] = {
	"subject", "study_no", "site", "event", "event_repeat", "form", "form_repeat",
	"field", "value", "missing",
};
#define NWIDE_KEYS (sizeof wide_keys / sizeof wide_keys[0])
#define NLONG_COLS (sizeof long_cols / sizeof long_cols[0])

void
csv_quote(strbuf *sb, const char *s)
{
	const char *q;

	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\r\n") == NULL) {
		sb_add(sb, s);
		return;
	}
	sb_add(sb, "\"");
	while ((q = strchr(s, '"')) != NULL) {
		sb_addn(sb, s, (size_t)(q - s) + 1);
		sb_add(sb, "\"");
		s = q + 1;
	}
	sb_add(sb, s);
	sb_add(sb, "\"");
}

void
csv_summary_clear(csv_summary *s)
{
	free(s->dir);
	memset(s, 0, sizeof *s);
}

/* ---- Layout -------------------------------------------------------------- */

typedef struct layout {
	const study_def *sd;
	const csv_opts *o;
	unsigned char **col;       /* [form][field]: COL_OUT | COL_MISS */
	size_t identifiers;        /* identifier fields left out */
} layout;

static size_t
form_index(const study_def *sd, const form_def *fd)
{
	return (size_t)(fd - sd->forms);
}

static void
layout_init(layout *L, const study_def *sd, const csv_opts *o)
{
	memset(L, 0, sizeof *L);
	L->sd = sd;
	L->o = o;
	L->col = xcalloc(sd->nforms ? sd->nforms : 1, sizeof *L->col);
	for (size_t i = 0; i < sd->nforms; i++) {
		const form_def *fd = &sd->forms[i];

		L->col[i] = xcalloc(fd->nfields ? fd->nfields : 1, 1);
		for (size_t j = 0; j < fd->nfields; j++) {
			const field_def *f = &fd->fields[j];

			if (f->type == FT_INFO)
				continue;
			if (f->identifier && !o->identifiers) {
				L->identifiers++;
				continue;
			}
			L->col[i][j] = COL_OUT;
			if (f->missing_mask != 0)
				L->col[i][j] |= COL_MISS;
		}
	}
}

static void
layout_free(layout *L)
{
	for (size_t i = 0; L->col != NULL && i < L->sd->nforms; i++)
		free(L->col[i]);
	free(L->col);
	L->col = NULL;
}

static unsigned
col_of(const layout *L, const field_def *f)
{
	return L->col[form_index(L->sd, f->form)][f->index];
}

/* Every NAME_MISS must differ from the form's export names. */
static crf_status
layout_check(const layout *L, crf_err *err)
{
	for (size_t i = 0; i < L->sd->nforms; i++) {
		const form_def *fd = &L->sd->forms[i];

		for (size_t j = 0; j < fd->nfields; j++) {
			char *miss;

			if (!(L->col[i][j] & COL_MISS))
				continue;
			miss = xasprintf("%s%s", fd->fields[j].export_name, CSV_MISS_SUFFIX);
			for (size_t k = 0; k < fd->nfields; k++)
				if (str_eq(fd->fields[k].export_name, miss)) {
					crf_fail(err, CRF_EDEF, "%s: the column %s, for the missing-data codes of "
					    "field '%s', is also the export name of field '%s' (line %d): give "
					    "that field another export name", fd->file, miss, fd->fields[j].id,
					    fd->fields[k].id, fd->fields[k].line);
					free(miss);
					return CRF_EDEF;
				}
			free(miss);
		}
	}
	return CRF_OK;
}

/* ---- Output files ------------------------------------------------------------ */

typedef struct out_file {
	char *name;                /* in the folder: "dm.csv" */
	char *path;                /* where it ends up */
	char *tmp;                 /* where it is written: ".dm.csv.part" */
	FILE *fp;
	int err;                   /* errno of the first failed write, or 0 */
} out_file;

typedef struct outs {
	const char *dir;
	out_file *f;
	size_t n, cap;
} outs;

static crf_status
write_fail(const out_file *f, int e, crf_err *err)
{
	if (e == ENOSPC
#ifdef EDQUOT
	    || e == EDQUOT
#endif
	    )
		return crf_fail(err, CRF_EFULL, "cannot write %s: the disk is full (%s); "
		    "nothing was exported", f->path, strerror(e));
	return crf_fail(err, CRF_EIO, "cannot write %s: %s; nothing was exported", f->path,
	    strerror(e));
}

/* Create the temporary file of name; its index into *idx. */
static crf_status
out_open(outs *os, const char *name, size_t *idx, crf_err *err)
{
	out_file *f;
	char *dot = xasprintf(".%s.part", name);
	int fd;

	xgrow(&os->f, sizeof *os->f, &os->cap, os->n);
	f = &os->f[os->n];
	memset(f, 0, sizeof *f);
	f->name = xstrdup(name);
	f->path = path_join(os->dir, name);
	f->tmp = path_join(os->dir, dot);
	free(dot);
	os->n++;
	/* Clinical data: readable by the owner and the group only. */
	fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || (f->fp = fdopen(fd, "wb")) == NULL) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return write_fail(f, e, err);
	}
	*idx = os->n - 1;
	return CRF_OK;
}

static void
out_write(out_file *f, const char *s, size_t n)
{
	if (f->err != 0 || n == 0)
		return;
	errno = 0;
	if (fwrite(s, 1, n, f->fp) != n)
		f->err = errno != 0 ? errno : EIO;
}

/* Write sb to f and empty it. */
static void
out_flush(out_file *f, strbuf *sb)
{
	out_write(f, sb->s, sb->len);
	sb_clear(sb);
}

/* Close every file; the first write error found, as a status. */
static crf_status
outs_close(outs *os, crf_err *err)
{
	crf_status cs = CRF_OK;

	for (size_t i = 0; i < os->n; i++) {
		out_file *f = &os->f[i];

		if (f->fp != NULL) {
			errno = 0;
			if (fclose(f->fp) != 0 && f->err == 0)
				f->err = errno != 0 ? errno : EIO;
			f->fp = NULL;
		}
		if (f->err != 0 && cs == CRF_OK)
			cs = write_fail(f, f->err, err);
	}
	return cs;
}

/* Remove every temporary file (after a failure) and free. */
static void
outs_free(outs *os, bool unlink_tmp)
{
	for (size_t i = 0; i < os->n; i++) {
		out_file *f = &os->f[i];

		if (f->fp != NULL)
			fclose(f->fp);
		if (unlink_tmp)
			unlink(f->tmp);
		free(f->name);
		free(f->path);
		free(f->tmp);
	}
	free(os->f);
	os->f = NULL;
	os->n = 0;
}

/* ---- The folder ---------------------------------------------------------------- */

static crf_status
folder_empty(const char *dir, bool *empty, crf_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	*empty = true;
	if (d == NULL)
		return crf_fail(err, CRF_EIO, "cannot read the folder %s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			*empty = false;
			break;
		}
	closedir(d);
	return CRF_OK;
}

/* Make sure dir is a folder crf may write the export into; *created
 * tells whether it was made now. */
static crf_status
prepare_folder(const char *dir, bool force, char **abs, bool *created, crf_err *err)
{
	struct stat sb;
	bool empty;
	crf_status cs;

	if (str_blank(dir))
		return crf_fail(err, CRF_EINVAL, "the CSV export needs a folder to write into");
	if (stat(dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			return crf_fail(err, CRF_EINVAL, "%s is not a folder: the CSV export writes "
			    "a folder of files", dir);
		if ((cs = folder_empty(dir, &empty, err)) != CRF_OK)
			return cs;
		if (!empty && !force)
			return crf_fail(err, CRF_EEXIST, "the folder %s is not empty", dir);
	} else if (errno != ENOENT) {
		return crf_fail(err, CRF_EIO, "cannot use %s: %s", dir, strerror(errno));
	} else if (path_make_dirs(dir) != 0 || stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		return crf_fail(err, CRF_EIO, "cannot create the folder %s: %s", dir,
		    strerror(errno != 0 ? errno : ENOTDIR));
	} else {
		*created = true;
	}
	if (access(dir, W_OK | X_OK) != 0)
		return crf_fail(err, CRF_EIO, "cannot write into the folder %s: %s", dir,
		    strerror(errno));
	*abs = realpath(dir, NULL);
	if (*abs == NULL)
		*abs = xstrdup(dir);
	return CRF_OK;
}

/* ---- Form instances of a subject ----------------------------------------------- */

typedef struct inst {
	const form_def *fd;
	const char *event;         /* "" for a log */
	int erep, frep;
	size_t first, n;           /* its items */
	size_t evorder, fpos;      /* casebook position */
} inst;

static bool
same_key(const subject_item *a, const char *event, int erep, const char *form, int frep)
{
	return str_eq(a->event, event) && a->event_repeat == erep && str_eq(a->form, form) &&
	    a->form_repeat == frep;
}

static bool
item_blank(const subject_item *it)
{
	return (it->value == NULL || it->value[0] == '\0') && it->missing == NULL;
}

/* Where form instance i stands in the casebook; false when the
 * definitions no longer have its form in its event. */
static bool
place(const study_def *sd, inst *i)
{
	if (i->fd == NULL)
		return false;
	if (i->event[0] == '\0') {
		for (size_t k = 0; k < sd->nlogs; k++)
			if (sd->logs[k] == i->fd) {
				i->evorder = sd->nevents;
				i->fpos = k;
				return true;
			}
		return false;
	}
	for (size_t e = 0; e < sd->nevents; e++) {
		const event_def *ev = &sd->events[e];

		if (strcmp(ev->id, i->event) != 0)
			continue;
		for (size_t k = 0; k < ev->nforms; k++)
			if (ev->forms[k] == i->fd) {
				i->evorder = ev->order;
				i->fpos = k;
				return true;
			}
	}
	return false;
}

static int
cmp_inst(const void *a, const void *b)
{
	const inst *x = a, *y = b;

	if (x->evorder != y->evorder)
		return x->evorder < y->evorder ? -1 : 1;
	if (x->erep != y->erep)
		return x->erep < y->erep ? -1 : 1;
	if (x->fpos != y->fpos)
		return x->fpos < y->fpos ? -1 : 1;
	if (x->frep != y->frep)
		return x->frep < y->frep ? -1 : 1;
	return 0;
}

/*
 * The subject's form instances in casebook order: every saved instance
 * (rows), with its stored items (items, in the store's order).  Items of
 * instances the definitions do not have are counted in *skipped.
 */
static inst *
subject_instances(const study_def *sd, const form_row *rows, size_t nrows,
    const subject_item *items, size_t nitems, size_t *ninst, size_t *skipped)
{
	inst *v = xcalloc(nrows + nitems + 1, sizeof *v);
	bool *used;
	size_t n = 0, out = 0;

	/* Groups of items of one instance, each as a candidate. */
	for (size_t i = 0; i < nitems; ) {
		size_t j = i + 1;

		while (j < nitems && same_key(&items[j], items[i].event, items[i].event_repeat,
		    items[i].form, items[i].form_repeat))
			j++;
		v[n].event = items[i].event != NULL ? items[i].event : "";
		v[n].erep = items[i].event_repeat;
		v[n].frep = items[i].form_repeat;
		v[n].fd = study_form(sd, items[i].form);
		v[n].first = i;
		v[n].n = j - i;
		n++;
		i = j;
	}
	/* Saved instances without items. */
	used = xcalloc(n + 1, sizeof *used);
	for (size_t r = 0; r < nrows; r++) {
		bool found = false;

		for (size_t g = 0; g < n && !found; g++)
			if (!used[g] && same_key(&items[v[g].first], rows[r].event, rows[r].event_repeat,
			    rows[r].form, rows[r].form_repeat))
				found = used[g] = true;
		if (!found) {
			v[n].event = rows[r].event != NULL ? rows[r].event : "";
			v[n].erep = rows[r].event_repeat;
			v[n].frep = rows[r].form_repeat;
			v[n].fd = study_form(sd, rows[r].form);
			v[n].first = v[n].n = 0;
			n++;
		}
	}
	free(used);
	/* Keep those the definitions have. */
	for (size_t i = 0; i < n; i++) {
		if (place(sd, &v[i])) {
			v[out++] = v[i];
		} else {
			for (size_t k = 0; k < v[i].n; k++)
				if (!item_blank(&items[v[i].first + k]))
					(*skipped)++;
		}
	}
	qsort(v, out, sizeof *v, cmp_inst);
	*ninst = out;
	return v;
}

/* The stored item of each field of instance in (NULL when none); items
 * of fields the form no longer has are counted in *skipped. */
static void
instance_values(const inst *in, const subject_item *items, const subject_item **vals,
    size_t *skipped)
{
	for (size_t j = 0; j < in->fd->nfields; j++)
		vals[j] = NULL;
	for (size_t k = 0; k < in->n; k++) {
		const subject_item *it = &items[in->first + k];
		const field_def *f = form_field(in->fd, it->field);

		if (f == NULL || f->type == FT_INFO) {
			if (!item_blank(it))
				(*skipped)++;
			continue;
		}
		vals[f->index] = it;
	}
}

/* ---- The data files --------------------------------------------------------------- */

typedef struct exporter {
	store *st;
	const study_def *sd;
	const csv_opts *o;
	layout L;
	outs os;
	size_t *form_file;         /* [form]: index into os (wide) */
	size_t long_file;
	bool central;              /* the central database: sites from the keys */
	char *site;                /* the current subject's site (owned) */
	csv_summary sum;
	strbuf row;
} exporter;

/* The site of subject key: the central database holds many sites, and a
 * key is "<CODE>-<NNNN>" (a site code has no '-'). */
static char *
subject_site(const exporter *x, const char *key)
{
	const char *dash;

	if (x->o->site != NULL)
		return xstrdup(x->o->site);
	if (x->central && key != NULL && (dash = strchr(key, '-')) != NULL && dash > key)
		return xstrndup(key, (size_t)(dash - key));
	return xstrdup(store_site_code(x->st));
}

static void
add_key(strbuf *sb, const subject_row *s, const char *site, const inst *in, bool with_form)
{
	csv_quote(sb, s->key);
	sb_add(sb, ",");
	csv_quote(sb, s->study_no);
	sb_add(sb, ",");
	csv_quote(sb, site);
	sb_add(sb, ",");
	csv_quote(sb, in->event);
	sb_addf(sb, ",%d,", in->erep);
	if (with_form) {
		csv_quote(sb, in->fd->id);
		sb_add(sb, ",");
	}
	sb_addf(sb, "%d", in->frep);
}

static void
write_wide_row(exporter *x, const subject_row *s, const inst *in, const subject_item **vals)
{
	out_file *f = &x->os.f[x->form_file[form_index(x->sd, in->fd)]];
	strbuf *sb = &x->row;

	add_key(sb, s, x->site, in, false);
	for (size_t j = 0; j < in->fd->nfields; j++) {
		unsigned c = col_of(&x->L, &in->fd->fields[j]);
		const subject_item *it = vals[j];

		if (!(c & COL_OUT))
			continue;
		sb_add(sb, ",");
		if (it != NULL && it->value != NULL && it->value[0] != '\0') {
			csv_quote(sb, it->value);
			x->sum.values++;
		}
		if (c & COL_MISS) {
			sb_add(sb, ",");
			if (it != NULL && it->missing != NULL) {
				csv_quote(sb, it->missing);
				x->sum.values++;
			}
		} else if (it != NULL && it->missing != NULL) {
			x->sum.skipped++;    /* saved since the first read: no column for it */
		}
	}
	sb_add(sb, "\r\n");
	out_flush(f, sb);
}

static void
write_long_rows(exporter *x, const subject_row *s, const inst *in, const subject_item **vals)
{
	out_file *f = &x->os.f[x->long_file];
	strbuf *sb = &x->row;

	for (size_t j = 0; j < in->fd->nfields; j++) {
		const field_def *fld = &in->fd->fields[j];
		const subject_item *it = vals[j];

		if (!(col_of(&x->L, fld) & COL_OUT) || it == NULL || item_blank(it))
			continue;
		add_key(sb, s, x->site, in, true);
		sb_add(sb, ",");
		csv_quote(sb, fld->export_name);
		sb_add(sb, ",");
		if (it->value != NULL && it->value[0] != '\0') {
			csv_quote(sb, it->value);
			x->sum.values++;
		}
		sb_add(sb, ",");
		if (it->missing != NULL) {
			csv_quote(sb, it->missing);
			x->sum.values++;
		}
		sb_add(sb, "\r\n");
		out_flush(f, sb);
	}
}

static void
write_headers(exporter *x)
{
	strbuf *sb = &x->row;

	if (x->o->long_format) {
		for (size_t k = 0; k < NLONG_COLS; k++)
			sb_addf(sb, "%s%s", k ? "," : "", long_cols[k]);
		sb_add(sb, "\r\n");
		out_flush(&x->os.f[x->long_file], sb);
		return;
	}
	for (size_t i = 0; i < x->sd->nforms; i++) {
		const form_def *fd = &x->sd->forms[i];

		for (size_t k = 0; k < NWIDE_KEYS; k++)
			sb_addf(sb, "%s%s", k ? "," : "", wide_keys[k]);
		for (size_t j = 0; j < fd->nfields; j++) {
			unsigned c = x->L.col[i][j];

			if (c & COL_OUT)
				sb_addf(sb, ",%s", fd->fields[j].export_name);
			if (c & COL_MISS)
				sb_addf(sb, ",%s%s", fd->fields[j].export_name, CSV_MISS_SUFFIX);
		}
		sb_add(sb, "\r\n");
		out_flush(&x->os.f[x->form_file[i]], sb);
	}
}

/* First read of the data: the fields holding a missing-data code their
 * definition does not allow (any more) get a code column too. */
static crf_status
scan_codes(exporter *x, const subject_row *subjects, size_t nsubjects, crf_err *err)
{
	for (size_t s = 0; s < nsubjects; s++) {
		subject_item *items = NULL;
		size_t n = 0;
		crf_status cs = store_load_subject_items(x->st, subjects[s].id, &items, &n, err);

		if (cs != CRF_OK)
			return cs;
		for (size_t i = 0; i < n; i++) {
			const form_def *fd;
			const field_def *f;

			if (items[i].missing == NULL || (fd = study_form(x->sd, items[i].form)) == NULL ||
			    (f = form_field(fd, items[i].field)) == NULL)
				continue;
			if (x->L.col[form_index(x->sd, fd)][f->index] & COL_OUT)
				x->L.col[form_index(x->sd, fd)][f->index] |= COL_MISS;
		}
		subject_items_free(items, n);
	}
	return CRF_OK;
}

static crf_status
write_data(exporter *x, const subject_row *subjects, size_t nsubjects, crf_err *err)
{
	size_t maxf = 1;

	for (size_t i = 0; i < x->sd->nforms; i++)
		if (x->sd->forms[i].nfields > maxf)
			maxf = x->sd->forms[i].nfields;
	for (size_t s = 0; s < nsubjects; s++) {
		subject_item *items = NULL;
		form_row *rows = NULL;
		size_t nitems = 0, nrows = 0, ninst = 0;
		const subject_item **vals;
		inst *v;
		crf_status cs;

		if ((cs = store_list_forms(x->st, subjects[s].id, &rows, &nrows, err)) != CRF_OK)
			return cs;
		if ((cs = store_load_subject_items(x->st, subjects[s].id, &items, &nitems,
		    err)) != CRF_OK) {
			form_rows_free(rows, nrows);
			return cs;
		}
		v = subject_instances(x->sd, rows, nrows, items, nitems, &ninst, &x->sum.skipped);
		vals = xcalloc(maxf, sizeof *vals);
		free(x->site);
		x->site = subject_site(x, subjects[s].key);
		for (size_t i = 0; i < ninst; i++) {
			instance_values(&v[i], items, vals, &x->sum.skipped);
			if (x->o->long_format)
				write_long_rows(x, &subjects[s], &v[i], vals);
			else
				write_wide_row(x, &subjects[s], &v[i], vals);
		}
		x->sum.instances += ninst;
		free(vals);
		free(v);
		subject_items_free(items, nitems);
		form_rows_free(rows, nrows);
	}
	x->sum.subjects = nsubjects;
	return CRF_OK;
}

/* ---- The data dictionary ------------------------------------------------------------ */

static void
add_num(strbuf *sb, bool has, double v)
{
	char buf[64];

	if (!has)
		return;
	snprintf(buf, sizeof buf, "%.15g", v);
	sb_add(sb, buf);
}

/* Does f hold yes/no ("Y"/"N")? */
static bool
value_kind_yesno(const field_def *f)
{
	return f->type == FT_YESNO || (f->type == FT_CALC && f->result == FT_YESNO);
}

/* "M=Male|F=Female" in lang (zh: "" when no choice has a Chinese label). */
static void
add_choices(strbuf *sb, const field_def *f, crf_lang lang)
{
	strbuf t = { 0 };
	bool any = lang == LANG_EN;

	if (value_kind_yesno(f)) {
		sb_add(&t, lang == LANG_ZH ? "Y=\xe6\x98\xaf|N=\xe5\x90\xa6" : "Y=Yes|N=No");
		any = true;
	} else if ((f->type == FT_CHOICE || f->type == FT_MULTI) && f->choices != NULL) {
		for (size_t i = 0; i < f->choices->nitems; i++) {
			const choice_item *c = &f->choices->items[i];

			if (c->label.text[lang] != NULL)
				any = true;
			sb_addf(&t, "%s%s=%s", i ? "|" : "", c->code, i18n_get(&c->label, lang));
		}
	}
	if (any && t.s != NULL)
		csv_quote(sb, t.s);
	sb_free(&t);
}

static void
write_dictionary(const layout *L, strbuf *out)
{
	const study_def *sd = L->sd;
	static const char *const cols[] = {
		"form", "form_title", "field", "field_id", "section", "type", "value_type",
		"label_en", "label_zh", "unit", "decimals", "hard_min", "hard_max", "soft_min",
		"soft_max", "choices", "choices_zh", "missing_codes", "missing_column",
		"required", "identifier", "exported", "show", "calc", "events",
	};

	for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
		sb_addf(out, "%s%s", k ? "," : "", cols[k]);
	sb_add(out, "\r\n");
	for (size_t i = 0; i < sd->nforms; i++) {
		const form_def *fd = &sd->forms[i];
		strbuf events = { 0 };

		for (size_t e = 0; e < sd->nevents; e++)
			for (size_t k = 0; k < sd->events[e].nforms; k++)
				if (sd->events[e].forms[k] == fd)
					sb_addf(&events, "%s%s", events.len ? "|" : "", sd->events[e].id);
		for (size_t j = 0; j < fd->nfields; j++) {
			const field_def *f = &fd->fields[j];
			unsigned c = L->col[i][j];
			strbuf codes = { 0 };

			if (f->type == FT_INFO)
				continue;
			csv_quote(out, fd->id);
			sb_add(out, ",");
			csv_quote(out, i18n_get(&fd->title, LANG_EN));
			sb_add(out, ",");
			csv_quote(out, f->export_name);
			sb_add(out, ",");
			csv_quote(out, f->id);
			sb_add(out, ",");
			csv_quote(out, fd->nsections > 0 ? fd->sections[f->section].id : "");
			sb_addf(out, ",%s,%s,", field_type_name(f->type),
			    field_type_name(f->type == FT_CALC ? f->result : f->type));
			csv_quote(out, i18n_get(&f->label, LANG_EN));
			sb_add(out, ",");
			csv_quote(out, f->label.text[LANG_ZH]);
			sb_add(out, ",");
			csv_quote(out, f->unit);
			sb_add(out, ",");
			if (f->decimals >= 0)
				sb_addf(out, "%d", f->decimals);
			sb_add(out, ",");
			add_num(out, f->hard.has_min, f->hard.min);
			sb_add(out, ",");
			add_num(out, f->hard.has_max, f->hard.max);
			sb_add(out, ",");
			add_num(out, f->soft.has_min, f->soft.min);
			sb_add(out, ",");
			add_num(out, f->soft.has_max, f->soft.max);
			sb_add(out, ",");
			add_choices(out, f, LANG_EN);
			sb_add(out, ",");
			add_choices(out, f, LANG_ZH);
			sb_add(out, ",");
			for (size_t m = 0; m < sd->nmissing; m++)
				if (f->missing_mask & (1u << m))
					sb_addf(&codes, "%s%s", codes.len ? "|" : "", sd->missing[m].code);
			csv_quote(out, codes.s);
			sb_add(out, ",");
			if (c & COL_MISS)
				sb_addf(out, "%s%s", f->export_name, CSV_MISS_SUFFIX);
			sb_addf(out, ",%s,%s,%s,", f->required ? "yes" : "no",
			    f->identifier ? "yes" : "no", (c & COL_OUT) ? "yes" : "no");
			csv_quote(out, f->show_if ? expr_source(f->show_if) : NULL);
			sb_add(out, ",");
			csv_quote(out, f->calc ? expr_source(f->calc) : NULL);
			sb_add(out, ",");
			csv_quote(out, events.s);
			sb_add(out, "\r\n");
			sb_free(&codes);
		}
		sb_free(&events);
	}
}

static void
write_missing_codes(const study_def *sd, strbuf *out)
{
	sb_add(out, "code,label_en,label_zh\r\n");
	for (size_t i = 0; i < sd->nmissing; i++) {
		csv_quote(out, sd->missing[i].code);
		sb_add(out, ",");
		csv_quote(out, i18n_get(&sd->missing[i].label, LANG_EN));
		sb_add(out, ",");
		csv_quote(out, sd->missing[i].label.text[LANG_ZH]);
		sb_add(out, "\r\n");
	}
}

/* ---- The R script ------------------------------------------------------------------- */

/* s as an R string literal in plain ASCII: non-ASCII characters as \u
 * escapes, so that the script reads the same in any locale. */
static void
r_str(strbuf *sb, const char *s)
{
	sb_add(sb, "\"");
	for (const char *p = s != NULL ? s : ""; *p != '\0'; ) {
		unsigned char c = (unsigned char)*p;
		unsigned long cp;
		int n;

		if (c == '\\' || c == '"') {
			sb_addf(sb, "\\%c", c);
		} else if (c == '\n') {
			sb_add(sb, "\\n");
		} else if (c < 0x20 || c == 0x7f) {
			sb_add(sb, " ");
		} else if (c < 0x80) {
			sb_addn(sb, p, 1);
		} else if ((n = utf8_next(p, &cp)) == 0) {
			sb_add(sb, "?");
		} else {
			sb_addf(sb, cp <= 0xFFFF ? "\\u%04lx" : "\\U%08lx", cp);
			p += n;
			continue;
		}
		p++;
	}
	sb_add(sb, "\"");
}

/* crf_lab("English", "Chinese"), or crf_lab("English"). */
static void
r_lab(strbuf *sb, const char *en, const char *zh)
{
	sb_add(sb, "crf_lab(");
	r_str(sb, en);
	if (zh != NULL) {
		sb_add(sb, ", ");
		r_str(sb, zh);
	}
	sb_add(sb, ")");
}

/* c("a", "b") of n strings; get(i) gives each (NULL: NA). */
static void
r_vec(strbuf *sb, size_t n, const char *(*get)(const void *, size_t, crf_lang),
    const void *ctx, crf_lang lang)
{
	sb_add(sb, "c(");
	for (size_t i = 0; i < n; i++) {
		const char *s = get(ctx, i, lang);

		if (i > 0)
			sb_add(sb, ", ");
		if (s == NULL)
			sb_add(sb, "NA");
		else
			r_str(sb, s);
	}
	sb_add(sb, ")");
}

static const char *
choice_code(const void *ctx, size_t i, crf_lang lang)
{
	(void)lang;
	return ((const choice_list *)ctx)->items[i].code;
}

static const char *
choice_label(const void *ctx, size_t i, crf_lang lang)
{
	const i18n *l = &((const choice_list *)ctx)->items[i].label;

	return lang == LANG_EN ? i18n_get(l, LANG_EN) : l->text[lang];
}

static const char *
missing_label(const void *ctx, size_t i, crf_lang lang)
{
	const i18n *l = &((const study_def *)ctx)->missing[i].label;

	return lang == LANG_EN ? i18n_get(l, LANG_EN) : l->text[lang];
}

static const char *
missing_code_of(const void *ctx, size_t i, crf_lang lang)
{
	(void)lang;
	return ((const study_def *)ctx)->missing[i].code;
}

static const char *
event_id(const void *ctx, size_t i, crf_lang lang)
{
	(void)lang;
	return ((const study_def *)ctx)->events[i].id;
}

/* Labels in English and Chinese: crf_lab(c(...), c(...)). */
static void
r_labels(strbuf *sb, size_t n, const char *(*get)(const void *, size_t, crf_lang),
    const void *ctx)
{
	bool zh = false;

	for (size_t i = 0; i < n && !zh; i++)
		zh = get(ctx, i, LANG_ZH) != NULL;
	sb_add(sb, "crf_lab(");
	r_vec(sb, n, get, ctx, LANG_EN);
	if (zh) {
		sb_add(sb, ", ");
		r_vec(sb, n, get, ctx, LANG_ZH);
	}
	sb_add(sb, ")");
}

/* The R class read.csv gives a field's column. */
static const char *
r_class(const field_def *f)
{
	switch (f->type == FT_CALC ? f->result : f->type) {
	case FT_INTEGER: return "integer";
	case FT_DECIMAL: return "numeric";
	default:         return "character";
	}
}

/* The statement that types and labels column f of data frame d. */
static void
r_field(strbuf *sb, const field_def *f)
{
	field_type t = f->type == FT_CALC ? f->result : f->type;
	const char *name = f->export_name;

	sb_add(sb, "  d[[");
	r_str(sb, name);
	sb_add(sb, "]] <- crf_label(");
	switch (t) {
	case FT_INTEGER:
		sb_add(sb, "crf_int(d[[");
		break;
	case FT_DECIMAL:
		sb_add(sb, "crf_num(d[[");
		break;
	case FT_DATE:
		sb_add(sb, "crf_date(d[[");
		break;
	case FT_YESNO:
	case FT_CHOICE:
	case FT_MULTI:
		sb_add(sb, t == FT_MULTI ? "crf_multi(d[[" : "crf_factor(d[[");
		break;
	default:
		sb_add(sb, "d[[");
		break;
	}
	r_str(sb, name);
	sb_add(sb, "]]");
	if (t == FT_YESNO) {
		sb_add(sb, ", c(\"Y\", \"N\"), crf_lab(c(\"Yes\", \"No\"), c(\"\\u662f\", \"\\u5426\")))");
	} else if ((t == FT_CHOICE || t == FT_MULTI) && f->choices != NULL) {
		sb_add(sb, ", ");
		r_vec(sb, f->choices->nitems, choice_code, f->choices, LANG_EN);
		sb_add(sb, ", ");
		r_labels(sb, f->choices->nitems, choice_label, f->choices);
		sb_add(sb, ")");
	} else if (t == FT_INTEGER || t == FT_DECIMAL || t == FT_DATE || t == FT_CHOICE ||
	    t == FT_MULTI) {
		sb_add(sb, ")");
	}
	sb_add(sb, ", ");
	r_lab(sb, i18n_get(&f->label, LANG_EN), f->label.text[LANG_ZH]);
	if (f->unit != NULL) {
		sb_add(sb, ", ");
		r_str(sb, f->unit);
	}
	sb_add(sb, ")\n");
}

/* The statement for column NAME_MISS of f. */
static void
r_miss(strbuf *sb, const field_def *f)
{
	char *en = xasprintf("%s: missing-data code", i18n_get(&f->label, LANG_EN));
	char *zh = f->label.text[LANG_ZH] != NULL ?
	    xasprintf("%s\xef\xbc\x9a\xe7\xbc\xba\xe5\xa4\xb1\xe6\x95\xb0\xe6\x8d\xae\xe4\xbb\xa3\xe7\xa0\x81",
	    f->label.text[LANG_ZH]) : NULL;

	sb_addf(sb, "  d[[\"%s%s\"]] <- crf_label(crf_missing(d[[\"%s%s\"]]), ", f->export_name,
	    CSV_MISS_SUFFIX, f->export_name, CSV_MISS_SUFFIX);
	r_lab(sb, en, zh);
	sb_add(sb, ")\n");
	free(en);
	free(zh);
}

static const char r_intro[] =
"#\n"
"#   Rscript read_crf.R [DIR [en|zh]]    read the export in DIR (default: the\n"
"#                                       folder of this script), print its forms\n"
"#   crf_dir <- \"DIR\"; source(\"DIR/read_crf.R\")     the same inside R\n"
"#\n"
"# The result is the list `crf`, one data frame per form (crf$dm ...), with\n"
"# the key columns subject, study_no, site, event (a factor in schedule order;\n"
"# NA for the repeating logs), event_repeat and form_repeat, then one column\n"
"# per field under its export name.  Choice and yes/no fields are factors\n"
"# whose levels are the labels (attribute \"codes\" keeps the codes); dates\n"
"# are Date; integers integer; decimals numeric; partial dates, times and\n"
"# text are character; multichoice fields are the codes joined by \"|\"\n"
"# (crf_has(x, \"CODE\") tests one).  NAME_MISS columns hold the field's\n"
"# missing-data code (a factor), apart from the blank value.  Every column\n"
"# has the attribute \"label\" (and \"units\"); crf_lang <- \"zh\" (or zh on\n"
"# the command line) gives the Chinese labels.  Base R only.  The layout is\n"
"# described in docs/csv.md of crf.\n"
"\n"
"crf_args <- commandArgs(trailingOnly = TRUE)\n"
"if (length(crf_args) >= 1L) crf_dir <- crf_args[1L]\n"
"if (!exists(\"crf_dir\")) {\n"
"  crf_self <- sub(\"^--file=\", \"\", grep(\"^--file=\", commandArgs(FALSE), value = TRUE))\n"
"  crf_dir <- if (length(crf_self) == 1L) dirname(crf_self) else \".\"\n"
"}\n"
"if (length(crf_args) >= 2L) crf_lang <- crf_args[2L]\n"
"if (!exists(\"crf_lang\")) crf_lang <- \"en\"\n"
"\n"
"crf_lab <- function(en, zh = NA) {\n"
"  if (!identical(crf_lang, \"zh\")) return(en)\n"
"  zh <- rep_len(zh, length(en))\n"
"  ifelse(is.na(zh), en, zh)\n"
"}\n"
"\n"
"crf_read <- function(file, classes) {\n"
"  path <- file.path(crf_dir, file)\n"
"  if (!file.exists(path))\n"
"    stop(\"crf: there is no \", path, \": give the folder of a crf CSV export\")\n"
"  head <- readLines(path, n = 1L, warn = FALSE, encoding = \"UTF-8\")\n"
"  if (length(head) != 1L || !identical(strsplit(head, \",\", fixed = TRUE)[[1L]], names(classes)))\n"
"    stop(\"crf: \", path, \" does not have the columns of this export; \",\n"
"         \"read it with the read_crf.R written with it\")\n"
"  read.csv(path, colClasses = unname(classes), na.strings = \"\", encoding = \"UTF-8\",\n"
"           check.names = FALSE, stringsAsFactors = FALSE, strip.white = FALSE,\n"
"           quote = \"\\\"\", comment.char = \"\")\n"
"}\n"
"\n"
"crf_form <- function(form, classes, miss = character(0)) {\n"
"  if (!crf_long_format) return(crf_read(paste0(form, \".csv\"), classes))\n"
"  s <- crf_items[crf_items$form %in% form, , drop = FALSE]\n"
"  key <- paste(s$subject, s$event, s$event_repeat, s$form_repeat, sep = \"\\r\")\n"
"  first <- !duplicated(key)\n"
"  d <- s[first, c(\"subject\", \"study_no\", \"site\", \"event\", \"event_repeat\",\n"
"                 \"form_repeat\"), drop = FALSE]\n"
"  rownames(d) <- NULL\n"
"  at <- match(key, key[first])\n"
"  for (col in names(classes)[-seq_len(6L)]) {\n"
"    code <- col %in% names(miss)\n"
"    i <- which(s$field == (if (code) miss[[col]] else col))\n"
"    v <- rep(NA_character_, nrow(d))\n"
"    v[at[i]] <- if (code) s$missing[i] else s$value[i]\n"
"    d[[col]] <- v\n"
"  }\n"
"  d\n"
"}\n"
"\n"
"crf_int <- function(x) if (is.character(x)) as.integer(x) else x\n"
"crf_num <- function(x) if (is.character(x)) as.numeric(x) else x\n"
"crf_date <- function(x) as.Date(x, format = \"%Y-%m-%d\")\n"
"crf_factor <- function(x, codes, labels) {\n"
"  bad <- !is.na(x) & !(x %in% codes)\n"
"  if (any(bad))\n"
"    warning(\"crf: codes not in the list: \", paste(unique(x[bad]), collapse = \", \"))\n"
"  f <- factor(x, levels = codes, labels = labels)\n"
"  attr(f, \"codes\") <- codes\n"
"  f\n"
"}\n"
"crf_multi <- function(x, codes, labels) {\n"
"  attr(x, \"codes\") <- codes\n"
"  attr(x, \"code_labels\") <- labels\n"
"  x\n"
"}\n"
"crf_has <- function(x, code) {\n"
"  r <- vapply(strsplit(ifelse(is.na(x), \"\", x), \"|\", fixed = TRUE),\n"
"              function(v) code %in% v, logical(1))\n"
"  r[is.na(x)] <- NA\n"
"  r\n"
"}\n"
"crf_missing <- function(x) crf_factor(x, crf_missing_codes, crf_missing_labels)\n"
"crf_label <- function(x, label, units = NA) {\n"
"  attr(x, \"label\") <- label\n"
"  if (!is.na(units)) attr(x, \"units\") <- units\n"
"  x\n"
"}\n"
"crf_frame <- function(d, title) {\n"
"  d[[\"subject\"]] <- crf_label(d[[\"subject\"]], \"Subject (screening number)\")\n"
"  d[[\"study_no\"]] <- crf_label(d[[\"study_no\"]], \"Study number\")\n"
"  d[[\"site\"]] <- crf_label(d[[\"site\"]], \"Site\")\n"
"  d[[\"event\"]] <- crf_label(factor(d[[\"event\"]], levels = crf_events), \"Event\")\n"
"  d[[\"event_repeat\"]] <- crf_label(crf_int(d[[\"event_repeat\"]]), \"Event repeat\")\n"
"  d[[\"form_repeat\"]] <- crf_label(crf_int(d[[\"form_repeat\"]]), \"Form repeat\")\n"
"  attr(d, \"label\") <- title\n"
"  d\n"
"}\n";

/* Text for an R comment: plain ASCII on one line. */
static void
r_comment(strbuf *sb, const char *s)
{
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c >= 0x80) {
			if ((c & 0xC0) == 0xC0)
				sb_add(sb, "?");
		} else {
			sb_addn(sb, c < 0x20 ? " " : p, 1);
		}
	}
}

/* One `"NAME" = "class"` of the classes vector, wrapped at 80 columns;
 * *line is where the current line starts in sb. */
static void
r_class_entry(strbuf *sb, size_t *line, bool comma, const char *name, const char *suffix,
    const char *cls)
{
	size_t len = strlen(name) + strlen(suffix) + strlen(cls) + 9;

	if (comma)
		sb_add(sb, ",");
	if (sb->len - *line + len > 78) {
		sb_add(sb, "\n   ");
		*line = sb->len - 3;
	}
	if (comma || sb->s[sb->len - 1] == ' ')
		sb_add(sb, " ");
	sb_addf(sb, "\"%s%s\" = \"%s\"", name, suffix, cls);
}

static void
write_r_script(const layout *L, strbuf *sb)
{
	const study_def *sd = L->sd;

	sb_add(sb, "# read_crf.R - reads the CSV export of crf ");
	sb_add(sb, CRF_VERSION);
	sb_add(sb, " for study ");
	r_str(sb, sd->id);
	sb_addf(sb, " (metadata version %d)\n# into R. Written by crf with the export: %s, %s.\n",
	    sd->metadata_version, L->o->long_format ? "long format (" CSV_LONG_FILE ")" :
	    "one file per form", L->o->identifiers ? "identifiers included" :
	    "identifiers left out");
	sb_add(sb, r_intro);
	sb_add(sb, "\ncrf_long_format <- ");
	sb_add(sb, L->o->long_format ? "TRUE\n" : "FALSE\n");
	sb_add(sb, "crf_events <- ");
	r_vec(sb, sd->nevents, event_id, sd, LANG_EN);
	sb_add(sb, "\ncrf_missing_codes <- ");
	r_vec(sb, sd->nmissing, missing_code_of, sd, LANG_EN);
	sb_add(sb, "\ncrf_missing_labels <- ");
	r_labels(sb, sd->nmissing, missing_label, sd);
	sb_add(sb, "\n");
	if (L->o->long_format)
		sb_add(sb, "crf_items <- crf_read(\"" CSV_LONG_FILE "\", c(subject = \"character\", "
		    "study_no = \"character\",\n  site = \"character\", event = \"character\", "
		    "event_repeat = \"character\", form = \"character\",\n  form_repeat = "
		    "\"character\", field = \"character\", value = \"character\", "
		    "missing = \"character\"))\n");
	sb_add(sb, "\ncrf <- list()\n");
	for (size_t i = 0; i < sd->nforms; i++) {
		const form_def *fd = &sd->forms[i];
		strbuf miss = { 0 };
		size_t line = 0;

		sb_addf(sb, "\n## %s: ", fd->id);
		r_comment(sb, i18n_get(&fd->title, LANG_EN));
		if (!L->o->long_format)
			sb_addf(sb, " (%s.csv)", fd->id);
		sb_addf(sb, "\ncrf[[\"%s\"]] <- local({\n", fd->id);
		line = sb->len;
		sb_addf(sb, "  d <- crf_form(\"%s\", c(", fd->id);
		for (size_t k = 0; k < NWIDE_KEYS; k++)
			r_class_entry(sb, &line, k > 0, wide_keys[k], "", k < 4 ? "character" : "integer");
		for (size_t j = 0; j < fd->nfields; j++) {
			const field_def *f = &fd->fields[j];
			unsigned c = L->col[i][j];

			if (c & COL_OUT)
				r_class_entry(sb, &line, true, f->export_name, "", r_class(f));
			if (c & COL_MISS) {
				r_class_entry(sb, &line, true, f->export_name, CSV_MISS_SUFFIX, "character");
				sb_addf(&miss, "%s\"%s%s\" = \"%s\"", miss.len ? ", " : "", f->export_name,
				    CSV_MISS_SUFFIX, f->export_name);
			}
		}
		sb_addf(sb, ")%s%s%s)\n", miss.len ? ",\n    c(" : "", miss.len ? miss.s : "",
		    miss.len ? ")" : "");
		sb_free(&miss);
		for (size_t j = 0; j < fd->nfields; j++) {
			const field_def *f = &fd->fields[j];
			unsigned c = L->col[i][j];

			if (c & COL_OUT)
				r_field(sb, f);
			if (c & COL_MISS)
				r_miss(sb, f);
		}
		sb_add(sb, "  crf_frame(d, ");
		r_lab(sb, i18n_get(&fd->title, LANG_EN), fd->title.text[LANG_ZH]);
		sb_add(sb, ")\n})\n");
	}
	sb_add(sb, "\nif (sys.nframe() == 0L)\n"
	    "  for (crf_f in names(crf))\n"
	    "    cat(sprintf(\"%s: %d rows, %d columns\\n\", crf_f, nrow(crf[[crf_f]]),\n"
	    "                ncol(crf[[crf_f]])))\n");
}

/* ---- A site's slice of the central database -------------------------------------- */

/* Does subject key belong to site code ("TJ01-0007": TJ01)? */
static bool
key_of_site(const char *key, const char *code)
{
	size_t n = strlen(code);

	return key != NULL && strncmp(key, code, n) == 0 && key[n] == '-';
}

/* Keep the subjects of site code only (the others are freed). */
static void
keep_site(subject_row *rows, size_t *n, const char *code)
{
	size_t out = 0;

	for (size_t i = 0; i < *n; i++) {
		if (key_of_site(rows[i].key, code))
			rows[out++] = rows[i];
		else
			subject_row_clear(&rows[i]);
	}
	*n = out;
}

/* Before anything is written: code looks like a site code, st is the
 * central database (*central either way, also without a code). */
static crf_status
check_site(store *st, const char *code, bool *central, crf_err *err)
{
	crf_status cs;

	if (code != NULL && !config_site_code_ok(code))
		return crf_fail(err, CRF_EINVAL, "'%s' is not a site code: a site code is 2 to 8 "
		    "upper-case letters or digits, such as TJ01", code);
	if ((cs = store_is_central(st, central, err)) != CRF_OK)
		return cs;
	if (code != NULL && !*central)
		return crf_fail(err, CRF_EINVAL, "--site is for the central database: this is the "
		    "database of site %s, which holds only its own subjects (export it without "
		    "--site)", store_site_code(st));
	return CRF_OK;
}

/* Site code has no subject in the central database: it must at least
 * have sent a transfer file, else it is not a site of the study there. */
static crf_status
check_site_known(store *st, const char *code, crf_err *err)
{
	char *sites = NULL;
	bool known, found;
	crf_status cs;
	int rc;

	if ((cs = central_site_known(st, code, &known, err)) != CRF_OK || known)
		return cs;
	rc = store_query_text(st, "SELECT group_concat(code, ', ') FROM (SELECT site_code AS"
	    " code FROM transfer_in UNION SELECT substr(key, 1, instr(key, '-') - 1) FROM"
	    " subject WHERE instr(key, '-') > 1 ORDER BY 1)", NULL, &sites, &found);
	cs = rc == SQLITE_OK ? CRF_OK : store_fail(st, rc, err);
	if (cs == CRF_OK)
		cs = crf_fail(err, CRF_ENOENT, "the central database has no site %s: no subject "
		    "of it, no transfer file imported from it (%s%s)", code,
		    sites != NULL ? "its sites: " : "nothing imported yet",
		    sites != NULL ? sites : "");
	free(sites);
	return cs;
}

/* ---- The export ------------------------------------------------------------------- */

/* Write the text of sb as a new file name of the export. */
static crf_status
write_text(exporter *x, const char *name, strbuf *sb, crf_err *err)
{
	size_t idx;
	crf_status cs = out_open(&x->os, name, &idx, err);

	if (cs == CRF_OK)
		out_flush(&x->os.f[idx], sb);
	sb_clear(sb);
	return cs;
}

crf_status
csv_export(store *st, const study_def *sd, const char *dir, const csv_opts *o,
    csv_summary *out, crf_err *err)
{
	exporter x;
	subject_row *subjects = NULL;
	size_t nsubjects = 0, idx;
	char *abs = NULL, *what = NULL;
	strbuf sb = { 0 };
	crf_status cs;
	bool done = false, created = false;

	memset(out, 0, sizeof *out);
	memset(&x, 0, sizeof x);
	/* The site's slice is checked before the folder is touched.  The
	 * data are read as of one instant (store_hold_snapshot()) while
	 * others save; the hold ends before the export's audit row. */
	if ((cs = check_site(st, o->site, &x.central, err)) != CRF_OK ||
	    (cs = store_hold_snapshot(st, err)) != CRF_OK)
		return cs;
	if ((cs = store_list_subjects(st, &subjects, &nsubjects, err)) != CRF_OK) {
		store_release_snapshot(st);
		return cs;
	}
	if (o->site != NULL) {
		keep_site(subjects, &nsubjects, o->site);
		if (nsubjects == 0 && (cs = check_site_known(st, o->site, err)) != CRF_OK) {
			store_release_snapshot(st);
			subject_rows_free(subjects, nsubjects);
			return cs;
		}
	}
	if ((cs = prepare_folder(dir, o->force, &abs, &created, err)) != CRF_OK) {
		store_release_snapshot(st);
		subject_rows_free(subjects, nsubjects);
		return cs;
	}
	x.st = st;
	x.sd = sd;
	x.o = o;
	x.os.dir = abs;
	layout_init(&x.L, sd, o);
	x.form_file = xcalloc(sd->nforms ? sd->nforms : 1, sizeof *x.form_file);
	if ((cs = scan_codes(&x, subjects, nsubjects, err)) != CRF_OK ||
	    (cs = layout_check(&x.L, err)) != CRF_OK)
		goto out;
	if (o->long_format) {
		if ((cs = out_open(&x.os, CSV_LONG_FILE, &x.long_file, err)) != CRF_OK)
			goto out;
	} else {
		for (size_t i = 0; i < sd->nforms; i++) {
			char *name = xasprintf("%s.csv", sd->forms[i].id);

			cs = out_open(&x.os, name, &x.form_file[i], err);
			free(name);
			if (cs != CRF_OK)
				goto out;
		}
		x.sum.forms = sd->nforms;
	}
	write_headers(&x);
	if ((cs = write_data(&x, subjects, nsubjects, err)) != CRF_OK)
		goto out;
	write_dictionary(&x.L, &sb);
	if ((cs = write_text(&x, CSV_DICT_FILE, &sb, err)) != CRF_OK)
		goto out;
	write_missing_codes(sd, &sb);
	if ((cs = write_text(&x, CSV_MISSING_FILE, &sb, err)) != CRF_OK)
		goto out;
	redcap_write_dictionary(sd, &sb);
	if ((cs = write_text(&x, CSV_REDCAP_FILE, &sb, err)) != CRF_OK)
		goto out;
	write_r_script(&x.L, &sb);
	if ((cs = write_text(&x, CSV_R_FILE, &sb, err)) != CRF_OK)
		goto out;
	/* Everything is written: into the trail, then into place. */
	store_release_snapshot(st);
	what = o->site != NULL ? xasprintf("csv, site %s", o->site) : xstrdup("csv");
	if ((cs = outs_close(&x.os, err)) != CRF_OK ||
	    (cs = store_note_export(st, what, abs, NULL, err)) != CRF_OK)
		goto out;
	for (idx = 0; idx < x.os.n; idx++)
		if (rename(x.os.f[idx].tmp, x.os.f[idx].path) != 0) {
			cs = crf_fail(err, CRF_EIO, "cannot rename %s to %s: %s", x.os.f[idx].tmp,
			    x.os.f[idx].path, strerror(errno));
			goto out;
		}
	done = true;
	x.sum.files = x.os.n;
	x.sum.identifiers = x.L.identifiers;
	x.sum.dir = abs;
	abs = NULL;
	*out = x.sum;
out:
	outs_free(&x.os, !done);
	if (!done && created)
		rmdir(abs != NULL ? abs : dir);    /* the folder it made, now empty */
	store_release_snapshot(st);
	sb_free(&sb);
	sb_free(&x.row);
	free(x.site);
	free(what);
	free(x.form_file);
	layout_free(&x.L);
	subject_rows_free(subjects, nsubjects);
	free(abs);
	return cs;
}
