/*
 * outcome.c - the trial's derived values and endpoints; see outcome.h and,
 * for the rules in plain language, docs/outcomes.md.
 */
#include <math.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/formdef.h"
#include "crf/outcome.h"
#include "crf/util.h"

/* The 97.5% point of the standard normal: 95% two-sided intervals. */
#define Z95 1.959963984540054

long
outcome_day(crf_date day0, crf_date d)
{
	if (date_precision(day0) != DATE_DAY || date_precision(d) != DATE_DAY)
		return OUTCOME_NO_DAY;
	return date_diff_days(day0, d);
}

static const outcome_settings *
settings_or_default(const outcome_settings *s, outcome_settings *buf)
{
	if (s)
		return s;
	outcome_settings_default(buf);
	return buf;
}

/* ---- Settings ------------------------------------------------------------- */

void
outcome_settings_default(outcome_settings *s)
{
	memset(s, 0, sizeof *s);
	s->anc_engraft = 0.5;
	s->plt_engraft = 20;
	s->eng_days = 3;
	s->plt_txfree = 7;
	s->plt_rule = OUTCOME_PLT_ASTCT;
	s->plt_unsup_days = 7;
	s->pgf_day = 30;
	s->edss_crb1 = false;
	s->prog_cut = 55;
	s->prog_low = 10;
	s->prog_high = 5;
	s->prog_confirm = 168;
	s->prog_rel_days = 30;
	s->rel_min_hours = 24;
	s->rel_gap_days = 30;
	s->rel_objective = true;
	s->rel_adjudicated = true;
	s->mri_spinal = false;
	s->mafs_death = false;
	s->trm_days = 100;
	s->km_ci = KM_CI_PLAIN;
}

typedef enum set_kind {
	SK_REAL,        /* double, lo..hi */
	SK_INT,         /* int, whole number lo..hi */
	SK_EDSS,        /* int tenths, an EDSS step */
	SK_EDSS_DELTA,  /* int tenths, a multiple of 0.5 in lo..hi tenths */
	SK_BOOL,
	SK_PLT_RULE,
	SK_KM_CI
} set_kind;

static const struct setting_def {
	const char *name;
	set_kind kind;
	size_t off;
	double lo, hi;
} setting_defs[] = {
#define OFF(m) offsetof(outcome_settings, m)
	{ "anc_engraft",    SK_REAL,       OFF(anc_engraft),     0.01, 100 },
	{ "plt_engraft",    SK_REAL,       OFF(plt_engraft),     1, 2000 },
	{ "eng_days",       SK_INT,        OFF(eng_days),        1, 30 },
	{ "plt_txfree",     SK_INT,        OFF(plt_txfree),      0, 60 },
	{ "eng_variant",    SK_PLT_RULE,   OFF(plt_rule),        0, 0 },
	{ "plt_unsup_days", SK_INT,        OFF(plt_unsup_days),  1, 60 },
	{ "pgf_day",        SK_INT,        OFF(pgf_day),         1, 365 },
	{ "edss_crb1",      SK_BOOL,       OFF(edss_crb1),       0, 0 },
	{ "prog_cut",       SK_EDSS,       OFF(prog_cut),        0, 100 },
	{ "prog_low",       SK_EDSS_DELTA, OFF(prog_low),        5, 100 },
	{ "prog_high",      SK_EDSS_DELTA, OFF(prog_high),       5, 100 },
	{ "prog_confirm",   SK_INT,        OFF(prog_confirm),    1, 3650 },
	{ "prog_rel_days",  SK_INT,        OFF(prog_rel_days),   0, 365 },
	{ "rel_min_hours",  SK_INT,        OFF(rel_min_hours),   0, 10000 },
	{ "rel_gap_days",   SK_INT,        OFF(rel_gap_days),    0, 3650 },
	{ "rel_objective",  SK_BOOL,       OFF(rel_objective),   0, 0 },
	{ "rel_adjudicated", SK_BOOL,      OFF(rel_adjudicated), 0, 0 },
	{ "mri_spinal",     SK_BOOL,       OFF(mri_spinal),      0, 0 },
	{ "mafs_death",     SK_BOOL,       OFF(mafs_death),      0, 0 },
	{ "trm_days",       SK_INT,        OFF(trm_days),        0, 3650 },
	{ "km_ci",          SK_KM_CI,      OFF(km_ci),           0, 0 },
#undef OFF
};
#define NSETTINGS (sizeof setting_defs / sizeof setting_defs[0])

static const char *const plt_rule_names[] = { "astct2021", "unsupported" };
static const char *const km_ci_names[] = { "plain", "loglog" };

/* Is the member of s that def describes within its range? */
static crf_status
setting_valid(const struct setting_def *def, const outcome_settings *s,
    crf_err *err)
{
	const char *p = (const char *)s + def->off;
	double x;
	int i;

	switch (def->kind) {
	case SK_REAL:
		memcpy(&x, p, sizeof x);
		if (!(x >= def->lo && x <= def->hi))
			return crf_fail(err, CRF_ECONFIG, "%s: %g is outside %g..%g",
			    def->name, x, def->lo, def->hi);
		return CRF_OK;
	case SK_INT:
		memcpy(&i, p, sizeof i);
		if (i < def->lo || i > def->hi)
			return crf_fail(err, CRF_ECONFIG, "%s: %d is outside %g..%g",
			    def->name, i, def->lo, def->hi);
		return CRF_OK;
	case SK_EDSS:
		memcpy(&i, p, sizeof i);
		if (!edss_valid(i))
			return crf_fail(err, CRF_ECONFIG,
			    "%s: %d.%d is not a step of the EDSS", def->name,
			    i / 10, abs(i % 10));
		return CRF_OK;
	case SK_EDSS_DELTA:
		memcpy(&i, p, sizeof i);
		if (i % 5 != 0 || i < def->lo || i > def->hi)
			return crf_fail(err, CRF_ECONFIG,
			    "%s: %d.%d is not a multiple of 0.5 from 0.5 to 10",
			    def->name, i / 10, abs(i % 10));
		return CRF_OK;
	case SK_BOOL:
		return CRF_OK;
	case SK_PLT_RULE: {
		outcome_plt_rule r;

		memcpy(&r, p, sizeof r);
		if (r != OUTCOME_PLT_ASTCT && r != OUTCOME_PLT_UNSUPPORTED)
			return crf_fail(err, CRF_ECONFIG, "%s: unknown rule", def->name);
		return CRF_OK;
	}
	case SK_KM_CI: {
		km_ci_type t;

		memcpy(&t, p, sizeof t);
		if (t != KM_CI_PLAIN && t != KM_CI_LOGLOG)
			return crf_fail(err, CRF_ECONFIG, "%s: unknown interval", def->name);
		return CRF_OK;
	}
	}
	return crf_fail(err, CRF_ECONFIG, "%s: unknown setting", def->name);
}

/* The index of text among names (case-insensitive), or -1. */
static int
name_index(const char *text, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (str_ieq(text, names[i]))
			return i;
	return -1;
}

/* x as tenths when it is a whole number of tenths. */
static bool
to_tenths(double x, int *out)
{
	double t = x * 10;

	if (!isfinite(t) || fabs(t - round(t)) > 1e-6 || fabs(t) > 100000)
		return false;
	*out = (int)lround(t);
	return true;
}

crf_status
outcome_settings_set(outcome_settings *s, const char *name, const crf_value *v,
    crf_err *err)
{
	const struct setting_def *def = NULL;
	outcome_settings t = *s;
	char *p = (char *)&t;
	crf_status st;

	for (size_t i = 0; i < NSETTINGS && name; i++)
		if (strcmp(setting_defs[i].name, name) == 0)
			def = &setting_defs[i];
	if (def == NULL)
		return CRF_ENOENT;
	p += def->off;
	switch (def->kind) {
	case SK_REAL:
		if (v->type != VAL_NUM)
			return crf_fail(err, CRF_ECONFIG, "%s: a number is needed", name);
		memcpy(p, &v->u.n, sizeof v->u.n);
		break;
	case SK_INT: {
		int i;

		if (v->type != VAL_NUM || v->u.n != floor(v->u.n) ||
		    fabs(v->u.n) > 1e6)
			return crf_fail(err, CRF_ECONFIG, "%s: a whole number is needed",
			    name);
		i = (int)v->u.n;
		memcpy(p, &i, sizeof i);
		break;
	}
	case SK_EDSS:
	case SK_EDSS_DELTA: {
		int i;

		if (v->type != VAL_NUM || !to_tenths(v->u.n, &i))
			return crf_fail(err, CRF_ECONFIG,
			    "%s: an EDSS value (0, 1.0, 1.5 ... 10) is needed", name);
		memcpy(p, &i, sizeof i);
		break;
	}
	case SK_BOOL:
		if (v->type != VAL_BOOL)
			return crf_fail(err, CRF_ECONFIG, "%s: yes or no is needed", name);
		memcpy(p, &v->u.b, sizeof v->u.b);
		break;
	case SK_PLT_RULE: {
		int i = v->type == VAL_TEXT ? name_index(v->u.s, plt_rule_names, 2) : -1;
		outcome_plt_rule r = i == 1 ? OUTCOME_PLT_UNSUPPORTED : OUTCOME_PLT_ASTCT;

		if (i < 0)
			return crf_fail(err, CRF_ECONFIG,
			    "%s: \"astct2021\" or \"unsupported\" is needed", name);
		memcpy(p, &r, sizeof r);
		break;
	}
	case SK_KM_CI: {
		int i = v->type == VAL_TEXT ? name_index(v->u.s, km_ci_names, 2) : -1;
		km_ci_type c = i == 1 ? KM_CI_LOGLOG : KM_CI_PLAIN;

		if (i < 0)
			return crf_fail(err, CRF_ECONFIG,
			    "%s: \"plain\" or \"loglog\" is needed", name);
		memcpy(p, &c, sizeof c);
		break;
	}
	}
	if ((st = setting_valid(def, &t, err)) != CRF_OK)
		return st;
	*s = t;
	return CRF_OK;
}

crf_status
outcome_settings_load(outcome_settings *s, const struct constant_def *c,
    size_t n, crf_err *err)
{
	for (size_t i = 0; i < n; i++) {
		crf_status st = outcome_settings_set(s, c[i].name, &c[i].value, err);

		if (st != CRF_OK && st != CRF_ENOENT)
			return st;
	}
	return CRF_OK;
}

crf_status
outcome_settings_check(const outcome_settings *s, crf_err *err)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		crf_status st = setting_valid(&setting_defs[i], s, err);

		if (st != CRF_OK)
			return st;
	}
	return CRF_OK;
}

/* ---- Engraftment ------------------------------------------------------------ */

static int
cbc_cmp(const void *pa, const void *pb)
{
	long a = ((const cbc_day *)pa)->day, b = ((const cbc_day *)pb)->day;

	return (a > b) - (a < b);
}

/* A measured count: not negative, not NaN. */
static bool
measured(double v)
{
	return v >= 0;
}

/* What one line of counts (neutrophils or platelets) is judged by. */
typedef struct run_rule {
	bool plt;          /* platelets, else neutrophils */
	double thr;
	int len;           /* days in the run */
	int lookback;      /* days before the run without a platelet transfusion */
	bool txfree;       /* no platelet transfusion on the days of the run */
} run_rule;

static double
count_of(const cbc_day *r, const run_rule *rr)
{
	return rr->plt ? r->plt : r->anc;
}

/* Does a qualifying run start at d[i]?  d is sorted with unique days, so
 * the days of d[i .. i+len-1] are consecutive exactly when the last is
 * d[i].day + len - 1; a transfusion before the run can only be in d[0..i). */
static bool
run_at(const cbc_day *d, size_t n, size_t i, const run_rule *rr)
{
	long first = d[i].day;

	if (n - i < (size_t)rr->len)
		return false;
	for (int k = 0; k < rr->len; k++) {
		const cbc_day *r = &d[i + (size_t)k];
		double v = count_of(r, rr);

		if (r->day != first + k || !measured(v) || v < rr->thr)
			return false;
		if (rr->txfree && r->plt_tx)
			return false;
	}
	for (size_t k = i; rr->lookback > 0 && k-- > 0 && d[k].day >= first - rr->lookback;)
		if (d[k].plt_tx)
			return false;
	return true;
}

static void
eng_line_eval(const cbc_day *d, size_t n, const run_rule *rr, eng_line *out)
{
	out->state = ENG_NO_DATA;
	out->day = out->nadir = out->last = OUTCOME_NO_DAY;
	for (size_t i = 0; i < n; i++) {
		double v = count_of(&d[i], rr);
		/* Platelets that needed a transfusion have fallen too. */
		bool fell = (measured(v) && v < rr->thr) || (rr->plt && d[i].plt_tx);

		if (measured(v) && d[i].day >= 1)
			out->last = d[i].day;
		if (d[i].day >= 0 && fell && out->nadir == OUTCOME_NO_DAY)
			out->nadir = d[i].day;
	}
	if (out->last == OUTCOME_NO_DAY)
		return;
	if (out->nadir == OUTCOME_NO_DAY) {
		out->state = ENG_NEVER_BELOW;
		return;
	}
	out->state = ENG_NOT_REACHED;
	for (size_t i = 0; i < n; i++) {
		if (d[i].day < 1 || d[i].day <= out->nadir)
			continue;
		if (run_at(d, n, i, rr)) {
			out->state = ENG_REACHED;
			out->day = d[i].day;
			return;
		}
	}
}

crf_status
outcome_engraftment(const cbc_day *days, size_t n, long followup,
    const outcome_settings *s, eng_result *out, crf_err *err)
{
	outcome_settings defaults;
	cbc_day *d = NULL;
	run_rule anc, plt;
	long last = followup;

	s = settings_or_default(s, &defaults);
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++)
		if (days[i].day == OUTCOME_NO_DAY)
			return crf_fail(err, CRF_EINVAL, "a blood count has no date");
	if (n > 0) {
		d = xmalloc(n * sizeof *d);
		memcpy(d, days, n * sizeof *d);
		qsort(d, n, sizeof *d, cbc_cmp);
		for (size_t i = 1; i < n; i++)
			if (d[i].day == d[i - 1].day) {
				long dup = d[i].day;

				free(d);
				return crf_fail(err, CRF_EINVAL,
				    "two blood counts on day %ld: one entry per day", dup);
			}
		if (last == OUTCOME_NO_DAY || d[n - 1].day > last)
			last = d[n - 1].day;
	}

	anc = (run_rule){ false, s->anc_engraft, s->eng_days, 0, false };
	if (s->plt_rule == OUTCOME_PLT_UNSUPPORTED)
		plt = (run_rule){ true, s->plt_engraft, s->plt_unsup_days, 0, true };
	else
		plt = (run_rule){ true, s->plt_engraft, s->eng_days, s->plt_txfree, true };
	eng_line_eval(d, n, &anc, &out->anc);
	eng_line_eval(d, n, &plt, &out->plt);
	free(d);

	if (out->anc.state == ENG_NEVER_BELOW ||
	    (out->anc.state == ENG_REACHED && out->anc.day <= s->pgf_day))
		out->pgf = PGF_NO;
	else if (out->anc.state == ENG_NO_DATA)
		out->pgf = PGF_UNKNOWN;
	else
		out->pgf = last != OUTCOME_NO_DAY &&
		    last >= (long)s->pgf_day + s->eng_days - 1 ? PGF_YES : PGF_UNKNOWN;
	return CRF_OK;
}

/* ---- EDSS ------------------------------------------------------------------- */

bool
edss_valid(int t)
{
	return t == 0 || (t >= 10 && t <= 100 && t % 5 == 0);
}

bool
edss_parse(const char *s, int *tenths)
{
	double x;
	int t;

	if (s == NULL || !parse_double(s, &x) || !to_tenths(x, &t) || !edss_valid(t))
		return false;
	*tenths = t;
	return true;
}

void
edss_format(int tenths, char *buf, size_t size)
{
	if (size == 0)
		return;
	if (!edss_valid(tenths))
		snprintf(buf, size, "?");
	else if (tenths == 0 || tenths == 100)
		snprintf(buf, size, "%d", tenths / 10);
	else
		snprintf(buf, size, "%d.%d", tenths / 10, tenths % 10);
}

int
edss_visual_converted(int raw)
{
	static const int conv[] = { 0, 1, 2, 2, 3, 3, 4 };

	return raw >= 0 && raw <= 6 ? conv[raw] : raw;
}

int
edss_bowel_converted(int raw)
{
	static const int conv[] = { 0, 1, 2, 3, 3, 4, 5 };

	return raw >= 0 && raw <= 6 ? conv[raw] : raw;
}

/* The step the converted functional system grades imply. */
static int
fs_step(const int *g, size_t ng)
{
	int n1 = 0, n2 = 0, n3 = 0, n4 = 0, n5 = 0;

	for (size_t i = 0; i < ng; i++) {
		n1 += g[i] == 1;
		n2 += g[i] == 2;
		n3 += g[i] == 3;
		n4 += g[i] == 4;
		n5 += g[i] >= 5;
	}
	if (n5 >= 1 || n4 >= 2 || (n4 == 1 && n3 >= 3) || n3 >= 6)
		return 50;
	if ((n4 == 1 && (n3 >= 1 || n2 >= 1)) || n3 == 5)
		return 45;
	if (n4 == 1 || n3 >= 3 || (n3 == 2 && n2 >= 1) || (n3 == 1 && n2 >= 3) ||
	    n2 >= 6)
		return 40;
	if ((n3 == 1 && n2 >= 1) || n3 == 2 || n2 == 5)
		return 35;
	if (n3 == 1 || n2 >= 3)
		return 30;
	if (n2 == 2)
		return 25;
	if (n2 == 1)
		return 20;
	if (n1 >= 2)
		return 15;
	return n1 == 1 ? 10 : 0;
}

/* The step the ambulation score implies (0..16). */
static int
amb_step(int a)
{
	static const int step[17] = {
		0, 20, 45, 50, 55, 60, 60, 60, 65, 65, 70, 75, 80, 85, 90, 95, 100,
	};

	return step[a];
}

crf_status
edss_from_fs(const edss_fs *fs, const outcome_settings *s, int *tenths,
    crf_err *err)
{
	const struct { const char *name; int v, max; } sc[] = {
		{ "visual", fs->visual, 6 },
		{ "brainstem", fs->brainstem, 5 },
		{ "pyramidal", fs->pyramidal, 6 },
		{ "cerebellar", fs->cerebellar, 5 },
		{ "sensory", fs->sensory, 6 },
		{ "bowel and bladder", fs->bowel, 6 },
		{ "cerebral", fs->cerebral, 5 },
		{ "ambulation", fs->ambulation, 16 },
	};
	outcome_settings defaults;
	int g[7], fsst, ambst;

	s = settings_or_default(s, &defaults);
	for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++)
		if (sc[i].v < 0 || sc[i].v > sc[i].max)
			return crf_fail(err, CRF_ERANGE,
			    "the %s score %d is outside 0..%d", sc[i].name, sc[i].v,
			    sc[i].max);
	g[0] = edss_visual_converted(fs->visual);
	g[1] = fs->brainstem;
	g[2] = fs->pyramidal;
	g[3] = fs->cerebellar;
	g[4] = fs->sensory;
	g[5] = edss_bowel_converted(fs->bowel);
	g[6] = s->edss_crb1 && fs->cerebral == 1 ? 0 : fs->cerebral;
	fsst = fs_step(g, 7);
	ambst = amb_step(fs->ambulation);
	*tenths = fs->ambulation >= 5 || ambst > fsst ? ambst : fsst;
	return CRF_OK;
}

crf_status
edss_check(int entered, const edss_fs *fs, const outcome_settings *s,
    int *implied, crf_err *err)
{
	char e[8], c[8];
	int t;
	crf_status st;

	if ((st = edss_from_fs(fs, s, &t, err)) != CRF_OK)
		return st;
	if (implied)
		*implied = t;
	if (!edss_valid(entered))
		return crf_fail(err, CRF_ERANGE, "the entered EDSS is not a step of "
		    "the scale (0, 1.0, 1.5 ... 9.5, 10)");
	if (entered == t)
		return CRF_OK;
	edss_format(entered, e, sizeof e);
	edss_format(t, c, sizeof c);
	return crf_fail(err, CRF_ESOFT, "EDSS %s entered, the functional systems "
	    "and ambulation imply %s: please confirm", e, c);
}

/* ---- Relapses ---------------------------------------------------------------- */

static crf_status
relapse_days_valid(const relapse_episode *ep, size_t n, crf_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (ep[i].day == OUTCOME_NO_DAY)
			return crf_fail(err, CRF_EINVAL, "relapse %zu has no onset date",
			    i + 1);
	return CRF_OK;
}

/* The episode after `prev` in order of onset, then input order (prev
 * SIZE_MAX: the first); SIZE_MAX after the last.  O(n), so a walk is
 * O(n^2): relapse logs are short, and nothing is allocated. */
static size_t
relapse_next(const relapse_episode *ep, size_t n, size_t prev)
{
	size_t best = SIZE_MAX;

	for (size_t i = 0; i < n; i++) {
		if (prev != SIZE_MAX && (ep[i].day < ep[prev].day ||
		    (ep[i].day == ep[prev].day && i <= prev)))
			continue;
		if (best == SIZE_MAX || ep[i].day < ep[best].day)
			best = i;
	}
	return best;
}

static relapse_verdict
relapse_judge(const relapse_episode *e, long prev_onset, const outcome_settings *s)
{
	relapse_verdict v;

	v.gap = prev_onset == OUTCOME_NO_DAY ? OUTCOME_NO_DAY : e->day - prev_onset;
	if (e->hours < 0)
		v.rule = REL_UNKNOWN_DURATION;
	else if (e->hours <= s->rel_min_hours)
		v.rule = REL_SHORT;
	else if (e->fever)
		v.rule = REL_FEVER;
	else if (s->rel_objective && !e->objective)
		v.rule = REL_NOT_OBJECTIVE;
	else if (v.gap != OUTCOME_NO_DAY && v.gap < s->rel_gap_days)
		v.rule = REL_TOO_SOON;
	else
		v.rule = REL_QUALIFIES;
	v.protocol = v.rule == REL_QUALIFIES;
	if (s->rel_adjudicated && e->adjudicated != OUTCOME_UNKNOWN)
		v.protocol = e->adjudicated == OUTCOME_YES;
	return v;
}

/* Judge every episode in order of onset, into out[] when out is not NULL;
 * returns the onset of the first protocol relapse after day `after`. */
static long
relapse_walk(const relapse_episode *ep, size_t n, const outcome_settings *s,
    relapse_verdict *out, long after)
{
	long prev = OUTCOME_NO_DAY, first = OUTCOME_NO_DAY;

	for (size_t i = relapse_next(ep, n, SIZE_MAX); i != SIZE_MAX;
	    i = relapse_next(ep, n, i)) {
		relapse_verdict v = relapse_judge(&ep[i], prev, s);

		if (out)
			out[i] = v;
		if (!v.protocol)
			continue;
		prev = ep[i].day;
		if (first == OUTCOME_NO_DAY && ep[i].day > after)
			first = ep[i].day;
	}
	return first;
}

crf_status
outcome_relapses(const relapse_episode *ep, size_t n, const outcome_settings *s,
    relapse_verdict *out, crf_err *err)
{
	outcome_settings defaults;
	crf_status st;

	s = settings_or_default(s, &defaults);
	if ((st = relapse_days_valid(ep, n, err)) != CRF_OK)
		return st;
	relapse_walk(ep, n, s, out, 0);
	return CRF_OK;
}

/* ---- Confirmed disability progression ---------------------------------- */

static int
exam_cmp(const void *pa, const void *pb)
{
	long a = ((const edss_exam *)pa)->day, b = ((const edss_exam *)pb)->day;

	return (a > b) - (a < b);
}

/* Is day within 0..prog_rel_days days after the onset of a relapse? */
static bool
near_relapse(long day, const relapse_episode *rel, size_t nrel,
    const outcome_settings *s)
{
	for (size_t i = 0; i < nrel; i++)
		if (day >= rel[i].day && day - rel[i].day <= s->prog_rel_days)
			return true;
	return false;
}

crf_status
outcome_progression(const edss_exam *ex, size_t n, int baseline,
    const relapse_episode *rel, size_t nrel, const outcome_settings *s,
    prog_result *out, crf_err *err)
{
	outcome_settings defaults;
	edss_exam *a;
	crf_status st;
	size_t m = 0;

	s = settings_or_default(s, &defaults);
	out->state = PROG_NONE;
	out->threshold = 0;
	out->day = out->confirm_day = OUTCOME_NO_DAY;
	if ((st = relapse_days_valid(rel, nrel, err)) != CRF_OK)
		return st;
	for (size_t i = 0; i < n; i++) {
		if (ex[i].day == OUTCOME_NO_DAY)
			return crf_fail(err, CRF_EINVAL,
			    "EDSS assessment %zu has no date", i + 1);
		if (!edss_valid(ex[i].edss))
			return crf_fail(err, CRF_EINVAL, "the EDSS of day %ld is not "
			    "a step of the scale", ex[i].day);
	}
	if (baseline >= 0 && !edss_valid(baseline))
		return crf_fail(err, CRF_EINVAL,
		    "the baseline EDSS is not a step of the scale");
	if (n == 0) {
		if (baseline < 0)
			out->state = PROG_NOT_EVALUABLE;
		else
			out->threshold = baseline <= s->prog_cut ? s->prog_low : s->prog_high;
		return CRF_OK;
	}

	a = xmalloc(n * sizeof *a);
	for (size_t i = 0; i < n; i++)
		a[i] = ex[i];
	qsort(a, n, sizeof *a, exam_cmp);
	for (size_t i = 1; i < n; i++)
		if (a[i].day == a[i - 1].day) {
			long dup = a[i].day;

			free(a);
			return crf_fail(err, CRF_EINVAL,
			    "two EDSS assessments on day %ld", dup);
		}
	if (baseline < 0) {
		free(a);
		out->state = PROG_NOT_EVALUABLE;
		return CRF_OK;
	}
	out->threshold = baseline <= s->prog_cut ? s->prog_low : s->prog_high;
	while (m < n && a[m].day <= 0)
		m++;

	for (size_t i = m; i < n; i++) {
		size_t j;

		if (a[i].edss - baseline < out->threshold ||
		    near_relapse(a[i].day, rel, nrel, s))
			continue;
		for (j = i + 1; j < n; j++) {
			if (a[j].edss - baseline < out->threshold)
				break;          /* fell back: not confirmed */
			if (a[j].day - a[i].day >= s->prog_confirm &&
			    !near_relapse(a[j].day, rel, nrel, s)) {
				out->state = PROG_CONFIRMED;
				out->day = a[i].day;
				out->confirm_day = a[j].day;
				free(a);
				return CRF_OK;
			}
		}
		if (j == n) {
			/* Still up at the last assessment: awaiting confirmation.
			 * No later increase can be confirmed either (it would
			 * confirm this one too). */
			out->state = PROG_PENDING;
			out->day = a[i].day;
			break;
		}
	}
	free(a);
	return CRF_OK;
}

/* ---- MRI ---------------------------------------------------------------------- */

mri_state
outcome_mri(const mri_scan *m, const outcome_settings *s)
{
	outcome_settings defaults;
	int counts[4];
	size_t nc = 3;
	bool assessed = false;

	s = settings_or_default(s, &defaults);
	if (m->rebaseline)
		return MRI_REBASELINE;
	counts[0] = m->gd;
	counts[1] = m->new_t2;
	counts[2] = m->enl_t2;
	if (s->mri_spinal)
		counts[nc++] = m->sp_new;
	for (size_t i = 0; i < nc; i++) {
		if (counts[i] > 0)
			return MRI_ACTIVE;
		if (counts[i] == 0)
			assessed = true;
	}
	return assessed ? MRI_INACTIVE : MRI_NOT_EVALUABLE;
}

/* ---- Endpoints ------------------------------------------------------------- */

trm_state
outcome_trm(long death_day, int death_trm, const outcome_settings *s,
    bool *by_day, bool *by_investigator)
{
	outcome_settings defaults;
	bool bd, bi;

	s = settings_or_default(s, &defaults);
	bd = death_day != OUTCOME_NO_DAY && death_day <= s->trm_days;
	bi = death_day != OUTCOME_NO_DAY && death_trm == OUTCOME_YES;
	if (by_day)
		*by_day = bd;
	if (by_investigator)
		*by_investigator = bi;
	if (death_day == OUTCOME_NO_DAY)
		return TRM_ALIVE;
	return bd || bi ? TRM_YES : TRM_NO;
}

/* Fold a candidate event (day, kind) into the earliest so far. */
static void
earliest(long day, unsigned kind, long *best, unsigned *kinds)
{
	if (day == OUTCOME_NO_DAY)
		return;
	if (*best == OUTCOME_NO_DAY || day < *best) {
		*best = day;
		*kinds = kind;
	} else if (day == *best) {
		*kinds |= kind;
	}
}

static long
later(long a, long b)
{
	if (a == OUTCOME_NO_DAY)
		return b;
	if (b == OUTCOME_NO_DAY)
		return a;
	return a > b ? a : b;
}

crf_status
outcome_endpoints_eval(const outcome_subject *sub, const outcome_settings *s,
    outcome_endpoints *out, crf_err *err)
{
	outcome_settings defaults;
	long last = OUTCOME_NO_DAY, event = OUTCOME_NO_DAY;
	unsigned kinds = 0;
	crf_status st;

	s = settings_or_default(s, &defaults);
	memset(out, 0, sizeof *out);
	if ((st = relapse_days_valid(sub->relapses, sub->nrelapses, err)) != CRF_OK)
		return st;
	if ((st = outcome_progression(sub->edss, sub->nedss, sub->baseline_edss,
	    sub->relapses, sub->nrelapses, s, &out->prog, err)) != CRF_OK)
		return st;
	out->first_relapse = relapse_walk(sub->relapses, sub->nrelapses, s, NULL, 0);
	out->first_mri = OUTCOME_NO_DAY;
	for (size_t i = 0; i < sub->nmri; i++) {
		const mri_scan *m = &sub->mri[i];

		if (m->day == OUTCOME_NO_DAY || m->day <= 0)
			continue;
		if (outcome_mri(m, s) == MRI_ACTIVE &&
		    (out->first_mri == OUTCOME_NO_DAY || m->day < out->first_mri))
			out->first_mri = m->day;
		last = later(last, m->day);
	}
	for (size_t i = 0; i < sub->nedss; i++)
		if (sub->edss[i].day > 0)
			last = later(last, sub->edss[i].day);
	if (sub->last_visit != OUTCOME_NO_DAY && sub->last_visit > 0)
		last = later(last, sub->last_visit);
	out->followed = last != OUTCOME_NO_DAY;

	/* MS activity-free survival. */
	earliest(out->first_relapse, OUTCOME_EV_RELAPSE, &event, &kinds);
	earliest(out->first_mri, OUTCOME_EV_MRI, &event, &kinds);
	if (out->prog.state == PROG_CONFIRMED)
		earliest(out->prog.day, OUTCOME_EV_PROGRESSION, &event, &kinds);
	if (s->mafs_death)
		earliest(sub->death_day, OUTCOME_EV_DEATH, &event, &kinds);
	out->mafs_event = event != OUTCOME_NO_DAY;
	out->mafs_day = out->mafs_event ? event : out->followed ? last : 0;
	out->mafs_type = out->mafs_event ? kinds : 0;

	/* Time to treatment failure. */
	if (sub->rescue_day != OUTCOME_NO_DAY && sub->rescue_day > 0)
		earliest(sub->rescue_day, OUTCOME_EV_RESCUE, &event, &kinds);
	earliest(sub->death_day, OUTCOME_EV_DEATH, &event, &kinds);
	out->ttf_event = event != OUTCOME_NO_DAY;
	if (out->ttf_event) {
		out->ttf_day = event;
		out->ttf_type = kinds;
	} else {
		out->ttf_day = out->mafs_day;
		if (sub->last_contact != OUTCOME_NO_DAY && sub->last_contact > out->ttf_day)
			out->ttf_day = sub->last_contact;
	}

	out->trm = outcome_trm(sub->death_day, sub->death_trm, s, &out->trm_by_day,
	    &out->trm_by_investigator);
	return CRF_OK;
}

crf_status
outcome_neda3(const outcome_subject *sub, long from, long to,
    const outcome_settings *s, neda_result *out, crf_err *err)
{
	outcome_settings defaults;
	prog_result prog;
	long first;
	crf_status st;

	s = settings_or_default(s, &defaults);
	memset(out, 0, sizeof *out);
	if (from == OUTCOME_NO_DAY || to == OUTCOME_NO_DAY || from >= to)
		return crf_fail(err, CRF_EINVAL, "the NEDA-3 window is empty");
	if ((st = relapse_days_valid(sub->relapses, sub->nrelapses, err)) != CRF_OK)
		return st;
	if ((st = outcome_progression(sub->edss, sub->nedss, sub->baseline_edss,
	    sub->relapses, sub->nrelapses, s, &prog, err)) != CRF_OK)
		return st;
	first = relapse_walk(sub->relapses, sub->nrelapses, s, NULL, from);
	out->relapse = first != OUTCOME_NO_DAY && first <= to;
	for (size_t i = 0; i < sub->nmri; i++) {
		const mri_scan *m = &sub->mri[i];
		mri_state ms;

		if (m->day == OUTCOME_NO_DAY || m->day <= from || m->day > to)
			continue;
		ms = outcome_mri(m, s);
		if (ms == MRI_ACTIVE)
			out->mri_active = true;
		if (ms == MRI_ACTIVE || ms == MRI_INACTIVE)
			out->mri_assessed = true;
	}
	for (size_t i = 0; i < sub->nedss; i++)
		if (sub->edss[i].day > from && sub->edss[i].day <= to)
			out->edss_assessed = true;
	if (prog.day != OUTCOME_NO_DAY && prog.day > from && prog.day <= to) {
		out->progression = prog.state == PROG_CONFIRMED;
		out->prog_pending = prog.state == PROG_PENDING;
	}
	if (out->relapse || out->mri_active || out->progression)
		out->state = NEDA_NO;
	else if (!out->edss_assessed || !out->mri_assessed || out->prog_pending ||
	    prog.state == PROG_NOT_EVALUABLE)
		out->state = NEDA_INCOMPLETE;
	else
		out->state = NEDA_YES;
	return CRF_OK;
}

/* ---- Kaplan-Meier ---------------------------------------------------------- */

static int
obs_cmp(const void *pa, const void *pb)
{
	const km_obs *a = pa, *b = pb;

	if (a->time != b->time)
		return (a->time > b->time) - (a->time < b->time);
	return (int)b->event - (int)a->event;   /* events first */
}

/* The interval of S with Greenwood sum g (sum d / (n (n - d))). */
static void
km_interval(km_ci_type ci, double surv, double g, double *lo, double *hi)
{
	if (surv <= 0) {
		*lo = *hi = 0;
	} else if (surv >= 1) {
		*lo = *hi = 1;
	} else if (ci == KM_CI_LOGLOG) {
		double sd = sqrt(g) / fabs(log(surv));

		*lo = pow(surv, exp(Z95 * sd));
		*hi = pow(surv, exp(-Z95 * sd));
	} else {
		double se = surv * sqrt(g);

		*lo = surv - Z95 * se < 0 ? 0 : surv - Z95 * se;
		*hi = surv + Z95 * se > 1 ? 1 : surv + Z95 * se;
	}
}

crf_status
km_fit(const km_obs *obs, size_t n, km_ci_type ci, km_curve *out, crf_err *err)
{
	km_obs *a;
	size_t at_risk = n;
	double surv = 1, g = 0;

	memset(out, 0, sizeof *out);
	out->ci = ci;
	for (size_t i = 0; i < n; i++)
		if (obs[i].time < 0)
			return crf_fail(err, CRF_EINVAL,
			    "observation %zu has a negative time", i + 1);
	out->subjects = n;
	if (n == 0)
		return CRF_OK;
	a = xmalloc(n * sizeof *a);
	memcpy(a, obs, n * sizeof *a);
	qsort(a, n, sizeof *a, obs_cmp);
	out->steps = xmalloc(n * sizeof *out->steps);
	for (size_t i = 0; i < n;) {
		km_step *st = &out->steps[out->n++];
		size_t j = i;

		st->time = a[i].time;
		st->at_risk = at_risk;
		st->events = st->censored = 0;
		for (; j < n && a[j].time == a[i].time; j++) {
			if (a[j].event)
				st->events++;
			else
				st->censored++;
		}
		if (st->events > 0 && surv > 0) {
			if (st->events >= at_risk) {
				surv = 0;
			} else {
				double nr = (double)at_risk, d = (double)st->events;

				surv *= (nr - d) / nr;
				g += d / (nr * (nr - d));
			}
		}
		st->surv = surv;
		st->se = surv > 0 ? surv * sqrt(g) : 0;
		km_interval(ci, surv, g, &st->lower, &st->upper);
		at_risk -= j - i;
		i = j;
	}
	free(a);
	return CRF_OK;
}

void
km_free(km_curve *c)
{
	free(c->steps);
	c->steps = NULL;
	c->n = 0;
}

void
km_at(const km_curve *c, long t, km_point *out)
{
	size_t k = 0;

	out->time = t;
	out->surv = 1;
	out->se = 0;
	out->lower = out->upper = 1;
	out->at_risk = 0;
	/* Steps up to t: the estimate; the first step at or after t: at risk. */
	while (k < c->n && c->steps[k].time <= t) {
		out->surv = c->steps[k].surv;
		out->se = c->steps[k].se;
		out->lower = c->steps[k].lower;
		out->upper = c->steps[k].upper;
		k++;
	}
	if (k > 0 && c->steps[k - 1].time == t)
		out->at_risk = c->steps[k - 1].at_risk;
	else if (k < c->n)
		out->at_risk = c->steps[k].at_risk;
	out->estimable = c->subjects > 0 && c->n > 0 &&
	    (t <= c->steps[c->n - 1].time || out->surv <= 0);
}

long
km_median(const km_curve *c)
{
	for (size_t k = 0; k < c->n; k++)
		if (c->steps[k].events > 0 && c->steps[k].surv <= 0.5)
			return c->steps[k].time;
	return OUTCOME_NO_DAY;
}
