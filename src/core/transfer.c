/*
 * transfer.c - a site's transfer files for the coordinating centre: the
 * checksum, the FileOID and the table transfer_out (see transfer.h).
 * Bound parameters only; the record of a transfer and its audit row are
 * one transaction.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crf/date.h"
#include "crf/transfer.h"
#include "crf/util.h"
#include "store_impl.h"

void
transfer_row_clear(transfer_row *t)
{
	if (t == NULL)
		return;
	free(t->file_oid);
	free(t->prior_file_oid);
	free(t->created_at);
	free(t->checksum);
	memset(t, 0, sizeof *t);
}

void
transfer_checksum(const void *buf, size_t len, char *hex)
{
	unsigned char h[32];

	crypto_generichash(h, sizeof h, buf, len, NULL, 0);
	sodium_bin2hex(hex, TRANSFER_CHECKSUM_HEX + 1, h, sizeof h);
}

char *
transfer_checksum_line(const char *hex, const char *name)
{
	return xasprintf("%s  %s\n", hex, name);
}

char *
transfer_file_oid(const char *study, const char *site, long long first_seq, time_t now)
{
	char utc[32], off[16], stamp[32];
	size_t j = 0;

	clock_stamp(now, utc, sizeof utc, off, sizeof off);
	/* "2026-11-25T08:00:00Z" -> "20261125T080000Z" */
	for (size_t i = 0; utc[i] != '\0' && j + 1 < sizeof stamp; i++)
		if (utc[i] != '-' && utc[i] != ':')
			stamp[j++] = utc[i];
	stamp[j] = '\0';
	return xasprintf("crf/%s/%s/transfer/%lld/%s", study, site, first_seq, stamp);
}

static const char last_sql[] =
	"SELECT file_oid, prior_file_oid, first_seq, last_seq, created_at, checksum"
	" FROM transfer_out ORDER BY last_seq DESC LIMIT 1";

/* The latest transfer into *out (*found), inside whatever transaction is
 * open. */
static int
read_last(store *st, transfer_row *out, bool *found)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, last_sql, -1, &s, NULL);

	memset(out, 0, sizeof *out);
	*found = false;
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->file_oid = col_text(s, 0);
		out->prior_file_oid = col_text(s, 1);
		out->first_seq = sqlite3_column_int64(s, 2);
		out->last_seq = sqlite3_column_int64(s, 3);
		out->created_at = col_text(s, 4);
		out->checksum = col_text(s, 5);
		*found = true;
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

crf_status
store_last_transfer(store *st, transfer_row *out, bool *found, crf_err *err)
{
	int rc = read_last(st, out, found);

	if (rc != SQLITE_OK) {
		transfer_row_clear(out);
		*found = false;
		return store_fail(st, rc, err);
	}
	return CRF_OK;
}

crf_status
store_audit_max_seq(store *st, long long *seq, crf_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "SELECT coalesce(max(seq), 0) FROM audit", -1,
	    &s, NULL);

	*seq = 0;
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? CRF_OK : store_fail(st, rc, err);
}

static const char insert_sql[] =
	"INSERT INTO transfer_out (file_oid, prior_file_oid, first_seq, last_seq,"
	" created_at, checksum) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

crf_status
store_record_transfer(store *st, const transfer_row *t, const char *where,
    crf_err *err)
{
	audit_entry a = { .action = "export", .new_value = "odm transfer",
	    .reason = where };
	transfer_row last;
	sqlite3_stmt *s = NULL;
	crf_status cs;
	bool found;
	int rc;

	if (str_blank(t->file_oid) || t->checksum == NULL ||
	    strlen(t->checksum) != TRANSFER_CHECKSUM_HEX || t->first_seq < 1 ||
	    t->last_seq < t->first_seq)
		return crf_fail(err, CRF_EINVAL, "a transfer needs a FileOID, its audit rows "
		    "and a checksum");
	if ((cs = store_may(st, PERM_EXPORT, err)) != CRF_OK)
		return cs;
	if ((cs = store_begin_write(st, err)) != CRF_OK)
		return cs;
	if ((rc = read_last(st, &last, &found)) != SQLITE_OK)
		goto db_fail;
	if (found ? !str_eq(last.file_oid, t->prior_file_oid) || t->first_seq <= last.last_seq :
	    t->prior_file_oid != NULL) {
		cs = crf_fail(err, CRF_ECONFLICT, "the site's last transfer is %s, not %s: "
		    "another transfer was made meanwhile", found ? last.file_oid : "none",
		    t->prior_file_oid != NULL ? t->prior_file_oid : "none");
		transfer_row_clear(&last);
		store_rollback(st);
		return cs;
	}
	transfer_row_clear(&last);
	if ((rc = sqlite3_prepare_v2(st->db, insert_sql, -1, &s, NULL)) != SQLITE_OK)
		goto db_fail;
	if ((rc = bind_text(s, 1, t->file_oid)) != SQLITE_OK ||
	    (rc = bind_text(s, 2, t->prior_file_oid)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 3, t->first_seq)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(s, 4, t->last_seq)) != SQLITE_OK ||
	    (rc = bind_text(s, 5, st->now_utc)) != SQLITE_OK ||
	    (rc = bind_text(s, 6, t->checksum)) != SQLITE_OK)
		goto db_fail;
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		goto db_fail;
	sqlite3_finalize(s);
	s = NULL;
	if ((rc = audit_put(st, &a)) != SQLITE_OK)
		goto db_fail;
	return store_commit(st, err);
db_fail:
	cs = store_fail(st, rc, err);
	sqlite3_finalize(s);
	store_rollback(st);
	return cs;
}
