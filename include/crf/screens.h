/*
 * screens.h - the screens of the full-screen program.  Each returns a
 * screen to app_push(); see app.h for the screen contract.
 *
 * Layout of every screen at any size from 80x24 up: row 0 is the title
 * line (app_title), rows 1 .. LINES-3 the screen's own, row LINES-2 the
 * message line and row LINES-1 the key bar (both drawn by app_draw).
 */
#ifndef CRF_SCREENS_H
#define CRF_SCREENS_H

#include "crf/app.h"

/* First start: confirm the site (from config.ini), create the database
 * if it does not exist, and create the first administrator.  Then the
 * login screen. */
screen *scr_setup_new(app *a);

/* User name and masked password; on success the subject list. */
screen *scr_login_new(app *a);

/* Every subject of the site: search by typing, filter by status, add. */
screen *scr_subjects_new(app *a);

/* One subject's casebook: events in schedule order with their forms'
 * status, and the repeating logs with their counts. */
screen *scr_casebook_new(app *a, long long subject_id, const char *subject_key);

/* Form entry for one form instance.  event is "" and event_repeat 0 for
 * a log; form_repeat 0 means "a new instance" (the next free number). */
screen *scr_form_new(app *a, long long subject_id, const char *subject_key,
    const char *event, int event_repeat, const form_def *fd, int form_repeat);

#endif
