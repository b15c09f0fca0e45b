/*
 * outcome.h - the trial's derived values and endpoints: neutrophil and
 * platelet engraftment and primary graft failure, the EDSS step implied by
 * the functional systems, protocol relapses, confirmed disability
 * progression, MRI activity, NEDA-3, MS activity-free survival (the
 * primary endpoint), time to treatment failure, transplant-related
 * mortality, and the Kaplan-Meier estimate with Greenwood intervals.
 *
 * One evaluator for every screen, the report and the tests.  Pure: plain
 * arrays and structs in, results out; no database, no terminal, no global
 * state, no output.  Input arrays may be in any order.
 *
 * Days are whole days relative to day 0, the date of stem cell infusion
 * (day 1 is the day after, day -1 the day before); outcome_day() turns a
 * date into one.  OUTCOME_NO_DAY stands for "no such day".  EDSS values are
 * integers in tenths of a point (0, 10, 15, 20 ... 95, 100 for 0, 1.0, 1.5,
 * 2.0 ... 9.5, 10) so that no rounding ever decides a step.
 *
 * Every rule whose variant is a protocol choice takes it from
 * outcome_settings, never from a constant in the code;
 * outcome_settings_default() gives the documented defaults and
 * outcome_settings_load() applies the study's [constants].  Wherever a
 * function takes settings, NULL means the defaults.  The rules in plain
 * language, with their settings and sources: docs/outcomes.md (clinical
 * reference: domain.md sections 3 to 6).
 */
#ifndef CRF_OUTCOME_H
#define CRF_OUTCOME_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "crf/date.h"
#include "crf/status.h"
#include "crf/value.h"

struct constant_def;

/* "No such day": the day of something that did not happen or is unknown. */
#define OUTCOME_NO_DAY LONG_MIN

/* Tri-state answers (adjudication, investigator attribution). */
#define OUTCOME_UNKNOWN (-1)
#define OUTCOME_NO      0
#define OUTCOME_YES     1

/* Days from day0 to d (d - day0); OUTCOME_NO_DAY unless both are complete
 * dates. */
long outcome_day(crf_date day0, crf_date d);

/* ---- Settings ------------------------------------------------------------- */

/* Platelet engraftment rule (study constant eng_variant). */
typedef enum outcome_plt_rule {
	/* "astct2021": the first of eng_days consecutive days with platelets
	 * >= plt_engraft, no platelet transfusion on those days nor in the
	 * plt_txfree days before the first of them (ASTCT 2021). */
	OUTCOME_PLT_ASTCT = 0,
	/* "unsupported": the first of plt_unsup_days consecutive days with
	 * platelets >= plt_engraft and no platelet transfusion on any of them
	 * ("7 consecutive unsupported days"); plt_txfree is not used. */
	OUTCOME_PLT_UNSUPPORTED
} outcome_plt_rule;

/* Kaplan-Meier 95% confidence interval (study constant km_ci).  Both use
 * Greenwood's variance. */
typedef enum km_ci_type {
	/* "plain", the default: S +- 1.96 SE, cut to 0..1. */
	KM_CI_PLAIN = 0,
	/* "loglog": symmetric on log(-log S) (Kalbfleisch-Prentice), always
	 * inside 0..1; better with few subjects or S near 0 or 1. */
	KM_CI_LOGLOG
} km_ci_type;

/*
 * Every protocol choice the derivations make.  Each member is named after
 * its study constant (study.ini [constants]); EDSS amounts are in tenths
 * there too (the constant prog_cut = 5.5 fills prog_cut = 55).
 */
typedef struct outcome_settings {
	/* Engraftment (domain.md section 3; ASTCT 2021). */
	double anc_engraft;         /* 0.5 x10^9/L neutrophils */
	double plt_engraft;         /* 20 x10^9/L platelets */
	int eng_days;               /* 3 consecutive days (neutrophils; ASTCT platelets) */
	int plt_txfree;             /* 7 days without platelet transfusion before the run */
	outcome_plt_rule plt_rule;  /* eng_variant, "astct2021" */
	int plt_unsup_days;         /* 7: run length of the "unsupported" variant */
	int pgf_day;                /* 30: no neutrophil engraftment by this day = primary graft failure */
	/* EDSS (section 4). */
	bool edss_crb1;             /* false: Neurostatus (as forms/edss.ini);
	                               true: Kurtzke 1983, a cerebral grade 1 counts as 0 */
	/* Confirmed disability progression (section 4). */
	int prog_cut;               /* 55: baseline EDSS at or below needs prog_low */
	int prog_low;               /* 10: increase needed when baseline <= prog_cut */
	int prog_high;              /* 5: increase needed when baseline > prog_cut */
	int prog_confirm;           /* 168 days (24 weeks) from the increase to its confirmation */
	int prog_rel_days;          /* 30: an assessment 0..30 days after a relapse onset
	                               neither starts nor confirms a progression */
	/* Relapse (section 5). */
	int rel_min_hours;          /* 24: a relapse lasts more than this */
	int rel_gap_days;           /* 30: days from the onset of the previous protocol relapse */
	bool rel_objective;         /* true: must be objectively confirmed on examination */
	bool rel_adjudicated;       /* true: an adjudication, once made, decides */
	/* MRI (section 6). */
	bool mri_spinal;            /* false: new spinal cord lesions do not count as activity */
	/* Endpoints (section 5). */
	bool mafs_death;            /* false: death is not itself a MAFS event */
	int trm_days;               /* 100: a death up to this day is transplant-related */
	/* Report. */
	km_ci_type km_ci;           /* "plain" */
} outcome_settings;

/* The documented defaults (the values in the comments above). */
void outcome_settings_default(outcome_settings *s);

/*
 * Set the member named `name` (a study constant's name) from v: a number
 * for amounts, days and EDSS values, yes/no for switches, text for
 * eng_variant ("astct2021", "unsupported") and km_ci ("plain", "loglog").
 * CRF_ENOENT when name is no outcome setting (s unchanged, err untouched);
 * CRF_ECONFIG, with "NAME: why" in err, for a wrong type or a value out of
 * range (s unchanged).
 */
crf_status outcome_settings_set(outcome_settings *s, const char *name,
    const crf_value *v, crf_err *err);

/* Apply every outcome setting among the study's constants (n of them, as in
 * study_def.constants) to s, which the caller first filled (usually with
 * the defaults); other constants are ignored.  Stops at the first bad one:
 * CRF_ECONFIG and "NAME: why" in err. */
crf_status outcome_settings_load(outcome_settings *s,
    const struct constant_def *c, size_t n, crf_err *err);

/* Check every member of s against its allowed range (as _set does);
 * CRF_ECONFIG naming the first bad one. */
crf_status outcome_settings_check(const outcome_settings *s, crf_err *err);

/* ---- Engraftment (domain.md section 3) --------------------------------- */

/* A count that was not measured (any negative value, or NaN, means so). */
#define OUTCOME_MISSING (-1.0)

/* One calendar day of the daily blood count log. */
typedef struct cbc_day {
	long day;          /* relative to day 0 */
	double anc;        /* neutrophils x10^9/L, or OUTCOME_MISSING */
	double plt;        /* platelets x10^9/L (before any transfusion of
	                      the day), or OUTCOME_MISSING */
	bool plt_tx;       /* a platelet transfusion was given that day */
} cbc_day;

typedef enum eng_state {
	ENG_NO_DATA = 0,   /* no count after day 0: not evaluable */
	ENG_NOT_REACHED,   /* no qualifying run in the data (yet) */
	ENG_REACHED,       /* `day` is the engraftment day */
	ENG_NEVER_BELOW    /* the count never fell below the threshold from
	                      day 0 on (platelets: nor was a platelet
	                      transfusion given): no nadir, so no recovery day */
} eng_state;

typedef struct eng_line {
	eng_state state;
	long day;          /* ENG_REACHED: the first day of the first
	                      qualifying run; otherwise OUTCOME_NO_DAY */
	long nadir;        /* the first day (day 0 or later) with a count below
	                      the threshold (platelets: or a platelet
	                      transfusion), or OUTCOME_NO_DAY */
	long last;         /* the last day after day 0 with a count, or
	                      OUTCOME_NO_DAY: how far the data reach */
} eng_line;

typedef enum pgf_state {
	PGF_UNKNOWN = 0,   /* not yet known: follow-up has not passed the
	                      deadline, or there are no neutrophil counts */
	PGF_NO,            /* neutrophils engrafted by pgf_day (or never fell) */
	PGF_YES            /* no neutrophil engraftment starting by pgf_day */
} pgf_state;

typedef struct eng_result {
	eng_line anc;      /* neutrophil engraftment */
	eng_line plt;      /* platelet engraftment */
	pgf_state pgf;     /* primary graft failure */
} eng_result;

/*
 * Neutrophil and platelet engraftment from n daily records (any order;
 * days before day 0 may be included: only their transfusions matter).
 *
 * A run is a stretch of consecutive calendar days, each with a record and
 * a measured count at or above the threshold; a day without a record or
 * with the count missing breaks it.  The run must start on day 1 or later
 * and after the nadir (the first day from day 0 on with a count below the
 * threshold, or for platelets with a platelet transfusion), so counts left
 * over from before aplasia never engraft.
 *   Neutrophils: the first day of the first run of eng_days days with
 *     ANC >= anc_engraft.
 *   Platelets: by s->plt_rule (see outcome_plt_rule); a day without a
 *     record counts as a day without transfusion.
 * Primary graft failure: no neutrophil run starting on or before pgf_day,
 * judged once follow-up reaches pgf_day + eng_days - 1 (the last day such
 * a run could complete).  A run starting later is still reported as the
 * engraftment day, and primary graft failure stands beside it.  `followup`
 * is the last day the subject was followed (today, end of study or death,
 * relative to day 0), or OUTCOME_NO_DAY; the last record's day is used
 * when that is later.  A death before the deadline leaves PGF_UNKNOWN.
 *
 * CRF_EINVAL (err names the day) when two records share a day or a day is
 * OUTCOME_NO_DAY; *out is then undefined.
 */
crf_status outcome_engraftment(const cbc_day *days, size_t n, long followup,
    const outcome_settings *s, eng_result *out, crf_err *err);

/* ---- EDSS (domain.md section 4) ---------------------------------------- */

/* Is t an EDSS step in tenths: 0, 10, 15, ... 95, 100 (there is no 0.5)? */
bool edss_valid(int t);

/* Parse an EDSS step as stored ("0", "1.0", "5.5", "10"; also "1", "10.0")
 * into tenths.  False for anything else, 0.5 included. */
bool edss_parse(const char *s, int *tenths);

/* Write an EDSS step as the choice list codes it ("0", "1.0" ... "9.5",
 * "10") into buf; anything that is no step is written as "?". */
void edss_format(int tenths, char *buf, size_t size);

/* A Neurostatus examination: the 7 functional system scores as rated
 * (before conversion) and the ambulation score. */
typedef struct edss_fs {
	int visual;        /* 0..6 */
	int brainstem;     /* 0..5 */
	int pyramidal;     /* 0..6 */
	int cerebellar;    /* 0..5 */
	int sensory;       /* 0..6 */
	int bowel;         /* bowel and bladder 0..6 */
	int cerebral;      /* 0..5 */
	int ambulation;    /* 0..16 */
} edss_fs;

/* The conversions before the step rules: visual 0 1 2 3 4 5 6 ->
 * 0 1 2 2 3 3 4; bowel and bladder 0 1 2 3 4 5 6 -> 0 1 2 3 3 4 5.
 * Out-of-range input is returned unchanged. */
int edss_visual_converted(int raw);
int edss_bowel_converted(int raw);

/*
 * The EDSS step the scores imply, into *tenths (domain.md section 4, the
 * same rules as the calculated fields of forms/edss.ini).  With the
 * converted scores counted by grade (n1 ... n4 systems at grade 1 ... 4,
 * n5 at 5 or more):
 *   5.0  n5 >= 1, n4 >= 2, n4 = 1 and n3 >= 3, or n3 >= 6
 *   4.5  n4 = 1 with n3 1..2 or any n2, or n3 = 5
 *   4.0  n4 = 1 alone, n3 3..4, n3 = 2 with n2, n3 = 1 with n2 >= 3, n2 >= 6
 *   3.5  n3 = 1 with n2 1..2, n3 = 2 alone, or n2 = 5
 *   3.0  n3 = 1 alone, or n2 3..4
 *   2.5  n2 = 2;  2.0  n2 = 1;  1.5  n1 >= 2;  1.0  n1 = 1;  0  all 0
 * The ambulation score gives 0 -> 0, 1 -> 2.0, 2 -> 4.5, 3 -> 5.0,
 * 4 -> 5.5, 5..7 -> 6.0, 8..9 -> 6.5, 10 -> 7.0, 11 -> 7.5 ... 15 -> 9.5,
 * 16 -> 10.  From ambulation 5 on it alone decides; below, the higher of
 * the two.  With s->edss_crb1 a cerebral grade 1 counts as 0.
 * CRF_ERANGE, naming the score, when one is out of its range.
 */
crf_status edss_from_fs(const edss_fs *fs, const outcome_settings *s,
    int *tenths, crf_err *err);

/*
 * The soft check of an entered EDSS against the scores: CRF_OK when they
 * agree; CRF_ESOFT with a message for the query ("EDSS 4.0 entered, the
 * functional systems and ambulation imply 3.5: please confirm") when they
 * differ; CRF_ERANGE when entered is no EDSS step or a score is out of
 * range.  *implied (may be NULL) gets the implied step when it is known.
 */
crf_status edss_check(int entered, const edss_fs *fs,
    const outcome_settings *s, int *implied, crf_err *err);

/* ---- Relapses (domain.md section 5) ------------------------------------ */

typedef struct relapse_episode {
	long day;          /* onset, relative to day 0 */
	int hours;         /* duration of symptoms in hours; negative: unknown */
	bool fever;        /* fever, infection or metabolic disturbance at onset */
	bool objective;    /* objectively confirmed on neurological examination */
	int adjudicated;   /* the adjudicator's verdict: OUTCOME_YES, OUTCOME_NO,
	                      or OUTCOME_UNKNOWN while not adjudicated */
} relapse_episode;

/* What the derived rule says of an episode: the first condition it fails,
 * in this order. */
typedef enum relapse_rule {
	REL_QUALIFIES = 0,
	REL_UNKNOWN_DURATION,  /* duration not known */
	REL_SHORT,             /* lasted rel_min_hours or less */
	REL_FEVER,             /* fever, infection or metabolic disturbance */
	REL_NOT_OBJECTIVE,     /* not objectively confirmed (rel_objective) */
	REL_TOO_SOON           /* less than rel_gap_days after the onset of the
	                          previous protocol relapse */
} relapse_rule;

typedef struct relapse_verdict {
	relapse_rule rule;   /* the derived rule */
	bool protocol;       /* the verdict: a protocol relapse.  The rule, or
	                        the adjudication when rel_adjudicated and one
	                        was made */
	long gap;            /* days from the onset of the previous protocol
	                        relapse, or OUTCOME_NO_DAY for none */
} relapse_verdict;

/*
 * Which of n episodes (any order) are protocol relapses: out[i] for ep[i].
 * Episodes are judged in order of onset (equal onsets in input order); an
 * episode qualifies when it lasted more than rel_min_hours, had no fever
 * or infection, was objectively confirmed (when rel_objective), and began
 * at least rel_gap_days after the onset of the previous protocol relapse
 * (the previous episode that was itself judged a protocol relapse).
 * Episodes before day 0 are judged too (they start the gap count).
 * CRF_EINVAL when a day is OUTCOME_NO_DAY.  No allocation.
 */
crf_status outcome_relapses(const relapse_episode *ep, size_t n,
    const outcome_settings *s, relapse_verdict *out, crf_err *err);

/* ---- Confirmed disability progression (domain.md section 4) ------------ */

typedef struct edss_exam {
	long day;          /* relative to day 0 */
	int edss;          /* tenths */
} edss_exam;

typedef enum prog_state {
	PROG_NONE = 0,       /* no confirmed progression and none awaiting
	                        confirmation (an increase that fell back is
	                        "not confirmed" and ends here) */
	PROG_PENDING,        /* not confirmed: an increase that has not fallen
	                        back but has no confirming assessment yet */
	PROG_CONFIRMED,      /* confirmed disability progression */
	PROG_NOT_EVALUABLE   /* no baseline EDSS */
} prog_state;

typedef struct prog_result {
	prog_state state;
	int threshold;       /* the increase needed, tenths (0 when no baseline) */
	long day;            /* CONFIRMED: the day of the initial increase (the
	                        event day); PENDING: the first increase awaiting
	                        confirmation; otherwise OUTCOME_NO_DAY */
	long confirm_day;    /* CONFIRMED: the confirming assessment; otherwise
	                        OUTCOME_NO_DAY */
} prog_result;

/*
 * The first confirmed disability progression after day 0 against a fixed
 * baseline (the screening EDSS; negative: unknown -> PROG_NOT_EVALUABLE).
 * Only assessments after day 0 are used, in order of day.  An increase is
 * EDSS - baseline >= threshold, the threshold being prog_low when the
 * baseline is at or below prog_cut, else prog_high.  An increase on day d
 * is confirmed by an assessment on day d + prog_confirm or later that still
 * shows the increase, provided every assessment in between shows it too;
 * neither the initial nor the confirming assessment may lie 0..prog_rel_days
 * days after the onset of any relapse episode in rel (fever or not; nrel
 * may be 0).  The earliest confirmed increase wins.
 * CRF_EINVAL when baseline or an assessment is no EDSS step, a day is
 * OUTCOME_NO_DAY, or two assessments share a day.
 */
crf_status outcome_progression(const edss_exam *ex, size_t n, int baseline,
    const relapse_episode *rel, size_t nrel, const outcome_settings *s,
    prog_result *out, crf_err *err);

/* ---- MRI (domain.md section 6) ----------------------------------------- */

typedef struct mri_scan {
	long day;          /* relative to day 0 */
	int gd;            /* Gd-enhancing lesions; negative: not assessed */
	int new_t2;        /* new T2 lesions; negative: not assessed */
	int enl_t2;        /* enlarging T2 lesions; negative: not assessed */
	int sp_new;        /* new spinal cord lesions; negative: not assessed
	                      (used only with mri_spinal) */
	bool rebaseline;   /* the post-transplant re-baseline scan */
} mri_scan;

typedef enum mri_state {
	MRI_INACTIVE = 0,  /* assessed, no lesion of activity */
	MRI_ACTIVE,        /* a Gd-enhancing, new or enlarging T2 lesion (or a
	                      new spinal lesion, with mri_spinal) */
	MRI_NOT_EVALUABLE, /* no count assessed */
	MRI_REBASELINE     /* the re-baseline scan: never counts */
} mri_state;

/* MRI activity of one scan.  Active as soon as one count is above 0, even
 * when others are missing; inactive when at least one count was assessed
 * and none is above 0. */
mri_state outcome_mri(const mri_scan *m, const outcome_settings *s);

/* ---- Endpoints (domain.md section 5) ----------------------------------- */

/* Kinds of event, as bits (several may fall on one day). */
#define OUTCOME_EV_RELAPSE     0x01u   /* protocol relapse */
#define OUTCOME_EV_MRI         0x02u   /* MRI activity */
#define OUTCOME_EV_PROGRESSION 0x04u   /* confirmed disability progression */
#define OUTCOME_EV_DEATH       0x08u
#define OUTCOME_EV_RESCUE      0x10u   /* a new MS therapy started */

/* Everything known of one subject, days relative to day 0. */
typedef struct outcome_subject {
	int baseline_edss;               /* tenths; negative: unknown */
	const edss_exam *edss;           /* every EDSS assessment */
	size_t nedss;
	const relapse_episode *relapses; /* every episode of the relapse log */
	size_t nrelapses;
	const mri_scan *mri;             /* every scan */
	size_t nmri;
	long last_visit;   /* the last follow-up visit (MS activity reviewed),
	                      or OUTCOME_NO_DAY */
	long last_contact; /* the last day known alive, or OUTCOME_NO_DAY */
	long rescue_day;   /* the first start after day 0 of a disease-modifying
	                      or rescue therapy for MS activity, or OUTCOME_NO_DAY */
	long death_day;    /* or OUTCOME_NO_DAY (alive) */
	int death_trm;     /* the investigator: death related to the transplant?
	                      OUTCOME_YES, OUTCOME_NO or OUTCOME_UNKNOWN */
} outcome_subject;

typedef enum trm_state {
	TRM_ALIVE = 0,     /* no death recorded */
	TRM_NO,            /* died, not transplant-related */
	TRM_YES            /* transplant-related mortality */
} trm_state;

typedef struct outcome_endpoints {
	long first_relapse;    /* the first protocol relapse after day 0 */
	long first_mri;        /* the first active scan after day 0 */
	prog_result prog;      /* confirmed disability progression */
	bool followed;         /* any EDSS, scan or visit after day 0 */
	/* MS activity-free survival, the primary endpoint. */
	bool mafs_event;
	long mafs_day;         /* the event day, else the censoring day (the last
	                          assessment: visit, EDSS or scan after day 0;
	                          0 when not followed) */
	unsigned mafs_type;    /* OUTCOME_EV_* of every event on mafs_day */
	/* Time to treatment failure. */
	bool ttf_event;
	long ttf_day;          /* event day, else censoring day (the MAFS
	                          censoring day or the last contact, if later) */
	unsigned ttf_type;
	/* Transplant-related mortality. */
	trm_state trm;
	bool trm_by_day;       /* died on or before trm_days */
	bool trm_by_investigator;
} outcome_endpoints;

/*
 * The endpoints of one subject.
 *   MAFS: the event is the first after day 0 of a protocol relapse (onset),
 *     MRI activity (scan day) or confirmed progression (the day of the
 *     initial increase), and of death when mafs_death; otherwise the
 *     subject is censored at the last assessment.
 *   Time to treatment failure: the first of a MAFS event, the start of a
 *     rescue therapy (rescue_day) or death.
 *   TRM: a death on or before trm_days, or attributed to the transplant by
 *     the investigator.
 * Errors as for outcome_relapses and outcome_progression.
 */
crf_status outcome_endpoints_eval(const outcome_subject *sub,
    const outcome_settings *s, outcome_endpoints *out, crf_err *err);

typedef enum neda_state {
	NEDA_YES = 0,      /* no evident disease activity, and both an EDSS
	                      assessment and an evaluable scan in the window */
	NEDA_NO,           /* evidence of activity */
	NEDA_INCOMPLETE    /* no activity seen, but no EDSS or no evaluable scan
	                      in the window, an increase awaits confirmation,
	                      or there is no baseline EDSS */
} neda_state;

typedef struct neda_result {
	neda_state state;
	bool relapse;        /* a protocol relapse began in the window */
	bool mri_active;     /* an active scan in the window */
	bool progression;    /* the confirmed progression began in the window */
	bool prog_pending;   /* an increase in the window awaits confirmation */
	bool edss_assessed;  /* an EDSS assessment in the window */
	bool mri_assessed;   /* an evaluable scan (not the re-baseline) in it */
} neda_result;

/*
 * NEDA-3 over the window of days from + 1 .. to (from < to): no protocol
 * relapse, no MRI activity and no confirmed disability worsening.  For a
 * visit, from is the previous visit's day (0 for the first); from = 0 for
 * every visit gives cumulative NEDA since day 0.  With a fixed baseline the
 * worsening counts in the window where the subject's first confirmed
 * progression began.  Errors as for outcome_endpoints_eval.
 */
crf_status outcome_neda3(const outcome_subject *sub, long from, long to,
    const outcome_settings *s, neda_result *out, crf_err *err);

/* Transplant-related mortality alone (see outcome_endpoints_eval). */
trm_state outcome_trm(long death_day, int death_trm,
    const outcome_settings *s, bool *by_day, bool *by_investigator);

/* ---- Kaplan-Meier ------------------------------------------------------ */

typedef struct km_obs {
	long time;         /* days from day 0 to the event or censoring, >= 0 */
	bool event;        /* true: event; false: censored */
} km_obs;

typedef struct km_step {
	long time;
	size_t at_risk;    /* subjects with time >= this one */
	size_t events;     /* events at this time */
	size_t censored;   /* censored at this time (still at risk at it) */
	double surv;       /* S just after this time */
	double se;         /* Greenwood standard error of surv */
	double lower, upper; /* 95% confidence interval */
} km_step;

typedef struct km_curve {
	km_step *steps;    /* every distinct time, ascending; owned */
	size_t n;
	size_t subjects;
	km_ci_type ci;
} km_curve;

/*
 * The Kaplan-Meier estimate of n observations (any order): one step per
 * distinct time, events or censorings (a curve drawn from it changes only
 * at event steps; the others mark censorings).  At a time with both,
 * events come first: those censored then are still at risk.  Greenwood:
 * Var S(t) = S(t)^2 * sum d / (n (n - d)) over event times up to t.  Once
 * S reaches 0 its interval is 0..0.  n == 0 gives an empty curve.
 * CRF_EINVAL when a time is negative.  Free with km_free().
 */
crf_status km_fit(const km_obs *obs, size_t n, km_ci_type ci, km_curve *out,
    crf_err *err);
void km_free(km_curve *c);

typedef struct km_point {
	long time;
	bool estimable;    /* false with no subject, or past the last time
	                      (unless S already reached 0) */
	size_t at_risk;    /* subjects with time >= t */
	double surv, se, lower, upper;   /* S(t), as of the last step <= t;
	                                    1, 0, 1, 1 before the first event */
} km_point;

/* The estimate at time t (for the report: 365, 730, 1095 days). */
void km_at(const km_curve *c, long t, km_point *out);

/* The median: the first time S(t) <= 0.5, or OUTCOME_NO_DAY when the curve
 * does not reach it. */
long km_median(const km_curve *c);

#endif
