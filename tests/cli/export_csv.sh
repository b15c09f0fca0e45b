#!/bin/sh
# crf export --format csv: a site filled the way a site fills it (crf init,
# crf user add, a headless data-entry session), exported by the real binary,
# the files checked as text; a central database's slice of one site
# (--site) checked against that site's own export; then loaded in R by the
# generated read_crf.R.
. "$(dirname "$0")/../lib.sh"
# Chinese is typed and read back: a UTF-8 locale whatever the caller has.
export LANG=C.UTF-8 LC_ALL=C.UTF-8

make_config
C="-c $T/config.ini"
DB="$T/site.db"
sql() { sqlite3 "$DB" "$1"; }

"$CRF_BIN" $C init >/dev/null 2>&1
add_nurse

# A research nurse keys the demographics (the ethnic group as the missing-data
# code UNK) and an adverse event whose term needs quoting in a CSV file.
cat > "$T/entry.keys" <<'KEYS'
wang.fang<Enter>Nurse-Password-1<Enter>
<C-n>a
<Enter>
<Right><Right><Enter>
ZXM<Enter>
H123<Enter>
1990-05-01<Enter>
F<Enter>
<C-o>
<Enter>
2026-11-20<Enter>
170<Enter>
65<Enter>
<C-s>
<Enter>
<C-x>
<PgDn><PgDn><PgDn><Home><C-n>
Rash on arm, "mild" 头痛<Enter>
2026-03<Enter>
Y<Enter>
<C-s>
<Enter>
<C-x>
<C-x>
q
KEYS
CRF_SCRIPT="$T/entry.keys" timeout 60 "$CRF_BIN" $C >"$T/ui.txt" 2>&1
if [ "$(sql "SELECT count(*) FROM item")" != 14 ]; then
	not_ok "export csv: a subject with demographics and an adverse event to export"
	sed 's/^/#   /' "$T/ui.txt"
	exit 1
fi

# ---- The export: one file per form of the study, and four more.
nforms=$(ls "$TOP"/forms/*.ini | grep -vc '/study\.ini$')
out=$("$CRF_BIN" $C export --format csv --out "$T/out" 2>&1); rc=$?
expect_eq "export: exit 0" 0 "$rc"
expect_eq "export: the summary" \
"crf export: $((nforms + 4)) files written to $T/out: $nforms form files (FORM.csv), data-dictionary.csv, missing-codes.csv, redcap-dictionary.csv, read_crf.R
crf export: 1 subject, 2 form instances, 11 values and missing-data codes
crf export: 3 identifier fields left out (--identifiers includes them)
crf export: in R: Rscript $T/out/read_crf.R" "$out"
CR=$(printf '\r')
expect_eq "export: dm.csv, wide, a code apart from the blank value, no identifiers" \
"subject,study_no,site,event,event_repeat,form_repeat,AGE,SEX,ETHNIC,ETHNIC_MISS,ETHOTH,VSDAT,HEIGHT,WEIGHT,BSA,BMI,CBP,PREGDAT,PREGRES,CONTRA,FERTPRES,FERTPRES_MISS,SMOKE,SMOKE_MISS,KPS,HCTCI$CR
TJ01-0001,,TJ01,scr,1,1,,F,,UNK,,2026-11-20,170.0,65.0,1.75,22.5,,,,,,,,,,$CR" "$(cat "$T/out/dm.csv")"
expect_eq "export: ae.csv, RFC 4180 quoting, Chinese as UTF-8, a log has no event" \
"TJ01-0001,,TJ01,,0,1,\"Rash on arm, \"\"mild\"\" 头痛\",2026-03,Y,,,Screening,,,,,,,,,,,,,,,,$CR" \
	"$(sed -n 2p "$T/out/ae.csv")"
expect_eq "export: a form without data has its header only" 1 "$(wc -l < "$T/out/cbc.csv")"
expect_match "export: data dictionary row of a field" \
	'^dm,Demographics and baseline status,WEIGHT,weight,body,decimal,decimal,Weight,体重,kg,1,30,200,40,120,,,,,yes,no,yes,,,scr' \
	"$(cat "$T/out/data-dictionary.csv")"
expect_match "export: data dictionary: an identifier, not exported" \
	'^dm,Demographics and baseline status,BRTHDAT,brthdat,ident,date,date,Date of birth,出生日期,,,,,,,,,,,yes,yes,no,,,scr' \
	"$(cat "$T/out/data-dictionary.csv")"
expect_eq "export: REDCap dictionary, 18 columns" \
	"Variable / Field Name,Form Name,Section Header,Field Type,Field Label,\"Choices, Calculations, OR Slider Labels\",Field Note,Text Validation Type OR Show Slider Number,Text Validation Min,Text Validation Max,Identifier?,Branching Logic (Show field only if...),Required Field?,Custom Alignment,Question Number (surveys only),Matrix Group Name,Matrix Ranking?,Field Annotation$CR" \
	"$(head -n 1 "$T/out/redcap-dictionary.csv")"
expect_match "export: REDCap: a branching logic translated" \
	"^pregres,dm,,radio,Pregnancy test result \(serum or urine hCG\),\"NEG, Negative \| POS, Positive\",,,,,,\[cbp\] = '1',y," \
	"$(cat "$T/out/redcap-dictionary.csv")"
expect_match "export: REDCap: a calculation translated" \
	'^bmi,dm,,calc,Body mass index,"round\(\[dm_weight\] / \(\[height\] / 100\)\^\(2\), 1\)",kg/m²' \
	"$(cat "$T/out/redcap-dictionary.csv")"
expect_eq "export: in the audit trail, with the folder" "csv|$T/out|" \
	"$(sql "SELECT new_value, reason, subject FROM audit WHERE action = 'export'")"
out=$("$CRF_BIN" $C audit verify 2>&1); rc=$?
expect_eq "export: the trail still verifies" 0 "$rc"

# ---- The folder: refused when in use, --force, a file, no --out.
out=$("$CRF_BIN" $C export --format csv --out "$T/out" 2>&1); rc=$?
expect_eq "export again into the same folder: exit 1" 1 "$rc"
expect_eq "export again: says why and what to do" \
"crf export: the folder $T/out is not empty
crf export: give a new or empty folder, or add --force to replace the files of an earlier export in it" "$out"
out=$("$CRF_BIN" $C export --format csv --out "$T/out" --force 2>&1); rc=$?
expect_eq "export --force: exit 0" 0 "$rc"
expect_eq "export --force: audited again" 2 "$(sql "SELECT count(*) FROM audit WHERE action = 'export'")"
out=$("$CRF_BIN" $C export --format csv --out "$T/out/dm.csv" 2>&1); rc=$?
expect_eq "export into a file: exit 1" 1 "$rc"
expect_eq "export into a file: says so" \
	"crf export: $T/out/dm.csv is not a folder: the CSV export writes a folder of files" "$out"
out=$("$CRF_BIN" $C export --format csv 2>&1); rc=$?
expect_eq "export without --out: usage, exit 2" 2 "$rc"
expect_match "export without --out: says what is missing" \
	'^crf export: the CSV export needs --out DIR, the folder to write the files into$' "$out"
out=$("$CRF_BIN" $C export --format csv --out "$T/x" --bogus 2>&1); rc=$?
expect_eq "export --bogus: usage, exit 2" 2 "$rc"
expect_match "export --bogus: the usage" \
	'^usage: crf export --format csv --out DIR \[--long\] \[--identifiers\] \[--force\]$' "$out"
expect_eq "export refused: no folder made, nothing audited" "no|2" \
	"$([ -e "$T/x" ] && echo yes || echo no)|$(sql "SELECT count(*) FROM audit WHERE action = 'export'")"

# ---- A full disk: /dev/full (every write fails with ENOSPC) stands where
# ae.csv is written.  A clear message, exit 1, nothing left, nothing audited.
mkdir "$T/full" && ln -s /dev/full "$T/full/.ae.csv.part"
out=$("$CRF_BIN" $C export --format csv --out "$T/full" --force 2>&1); rc=$?
expect_eq "full disk: exit 1" 1 "$rc"
expect_eq "full disk: names the file and the reason" \
	"crf export: cannot write $T/full/ae.csv: the disk is full (No space left on device); nothing was exported" \
	"$out"
expect_eq "full disk: no file left, no audit row" "|2" \
	"$(ls -A "$T/full")|$(sql "SELECT count(*) FROM audit WHERE action = 'export'")"

# ---- Identifiers on request; the long format.
"$CRF_BIN" $C export --format csv --out "$T/ids" --identifiers >/dev/null 2>&1
expect_match "export --identifiers: the birth date is there" \
	'^TJ01-0001,,TJ01,scr,1,1,ZXM,H123,1990-05-01,,F,' "$(cat "$T/ids/dm.csv")"
out=$("$CRF_BIN" $C export --format csv --out "$T/long" --long 2>&1); rc=$?
expect_eq "export --long: exit 0" 0 "$rc"
expect_eq "export --long: one row per value" \
"subject,study_no,site,event,event_repeat,form,form_repeat,field,value,missing$CR
TJ01-0001,,TJ01,scr,1,dm,1,SEX,F,$CR
TJ01-0001,,TJ01,scr,1,dm,1,ETHNIC,,UNK$CR
TJ01-0001,,TJ01,scr,1,dm,1,VSDAT,2026-11-20,$CR
TJ01-0001,,TJ01,scr,1,dm,1,HEIGHT,170.0,$CR
TJ01-0001,,TJ01,scr,1,dm,1,WEIGHT,65.0,$CR
TJ01-0001,,TJ01,scr,1,dm,1,BSA,1.75,$CR
TJ01-0001,,TJ01,scr,1,dm,1,BMI,22.5,$CR
TJ01-0001,,TJ01,,0,ae,1,AETERM,\"Rash on arm, \"\"mild\"\" 头痛\",$CR
TJ01-0001,,TJ01,,0,ae,1,AESTDAT,2026-03,$CR
TJ01-0001,,TJ01,,0,ae,1,AEONGO,Y,$CR
TJ01-0001,,TJ01,,0,ae,1,AEPHASE,Screening,$CR" "$(cat "$T/long/items-long.csv")"

# ---- At the centre: --site CODE exports one site's slice of the central
# database, the same files as the site's own export.  A second site, BJ02,
# keys a subject; both sites send a transfer file; the centre imports them.
sed -e 's/^code = TJ01/code = BJ02/' -e 's/^path = site.db/path = bj02.db/' \
	"$T/config.ini" > "$T/BJ02.ini"
sed -e 's/^code = TJ01/code = CENTRE/' -e 's/^path = site.db/path = central.db/' \
	"$T/config.ini" > "$T/CENTRE.ini"
BJ="-c $T/BJ02.ini"
CEN="-c $T/CENTRE.ini"
"$CRF_BIN" $BJ init >/dev/null 2>&1
add_nurse "$T/BJ02.ini"
enter_demographics "$T/BJ02.ini" 80 LQ B456 1985-02-03 M 2026-11-21 180
"$CRF_BIN" $C export --transfer --identifiers --out "$T/tj1.xml" >/dev/null 2>&1
"$CRF_BIN" $BJ export --transfer --identifiers --out "$T/bj1.xml" >/dev/null 2>&1
"$CRF_BIN" $CEN init --central >/dev/null 2>&1
"$CRF_BIN" $CEN import "$T/tj1.xml" >/dev/null 2>&1
"$CRF_BIN" $CEN import "$T/bj1.xml" >/dev/null 2>&1
expect_eq "centre: both sites' subjects imported" "BJ02-0001 TJ01-0001" \
	"$(sqlite3 "$T/central.db" "SELECT group_concat(key, ' ') FROM (SELECT key FROM subject ORDER BY key)")"

"$CRF_BIN" $C export --format csv --out "$T/tj-own" >/dev/null 2>&1
out=$("$CRF_BIN" $CEN export --format csv --out "$T/tj-slice" --site TJ01 2>&1); rc=$?
expect_eq "export --site TJ01 at the centre: exit 0" 0 "$rc"
expect_match "export --site: the summary names the site" \
	'^crf export: site TJ01 of the central database only$' "$out"
expect_match "export --site: TJ01's one subject" '^crf export: 1 subject, 2 form instances, ' "$out"
out=$(diff -r "$T/tj-own" "$T/tj-slice" 2>&1); rc=$?
expect_eq "export --site: the same files as the site's own export" "0|" "$rc|$out"
expect_eq "export --site: BJ02's subject left out" "" "$(grep -l 'BJ02' "$T"/tj-slice/*.csv)"
"$CRF_BIN" $C export --format csv --long --identifiers --out "$T/tj-own-long" >/dev/null 2>&1
"$CRF_BIN" $CEN export --format csv --long --identifiers --out "$T/tj-slice-long" \
	--site=TJ01 >/dev/null 2>&1
out=$(diff -r "$T/tj-own-long" "$T/tj-slice-long" 2>&1); rc=$?
expect_eq "export --site --long --identifiers: the same files as the site's" "0|" "$rc|$out"
"$CRF_BIN" $BJ export --format csv --out "$T/bj-own" >/dev/null 2>&1
"$CRF_BIN" $CEN export --format csv --out "$T/bj-slice" --site BJ02 >/dev/null 2>&1
out=$(diff -r "$T/bj-own" "$T/bj-slice" 2>&1); rc=$?
expect_eq "export --site BJ02: the same files as BJ02's own export" "0|" "$rc|$out"
expect_match "export --site BJ02: its subject" '^BJ02-0001,,BJ02,scr,1,1,' "$(cat "$T/bj-slice/dm.csv")"
expect_eq "export --site: in the centre's audit trail, with the site" \
	"csv, site TJ01|$T/tj-slice
csv, site TJ01|$T/tj-slice-long
csv, site BJ02|$T/bj-slice" \
	"$(sqlite3 "$T/central.db" "SELECT new_value, reason FROM audit WHERE action = 'export' ORDER BY seq")"
out=$("$CRF_BIN" $CEN audit verify 2>&1); rc=$?
expect_eq "export --site: the centre's trail still verifies" 0 "$rc"
"$CRF_BIN" $CEN export --format csv --out "$T/all" >/dev/null 2>&1
expect_eq "export at the centre without --site: every subject, each with its site" \
	"BJ02-0001,BJ02 TJ01-0001,TJ01" \
	"$(tail -n +2 "$T/all/dm.csv" | cut -d, -f1,3 | tr -d '\r' | tr '\n' ' ' | sed 's/ $//')"

# ---- --site refused: on a site's database, an unknown site, not a code.
out=$("$CRF_BIN" $C export --format csv --out "$T/no1" --site TJ01 2>&1); rc=$?
expect_eq "export --site on a site's database: exit 1" 1 "$rc"
expect_eq "export --site on a site's database: says why" \
	"crf export: --site is for the central database: this is the database of site TJ01, which holds only its own subjects (export it without --site)" \
	"$out"
out=$("$CRF_BIN" $CEN export --format csv --out "$T/no2" --site SH03 2>&1); rc=$?
expect_eq "export --site with an unknown site: exit 1" 1 "$rc"
expect_eq "export --site with an unknown site: names it, and the sites there" \
	"crf export: the central database has no site SH03: no subject of it, no transfer file imported from it (its sites: BJ02, TJ01)" \
	"$out"
out=$("$CRF_BIN" $CEN export --format csv --out "$T/no3" --site tj01 2>&1); rc=$?
expect_eq "export --site with no site code: usage, exit 2" 2 "$rc"
expect_match "export --site with no site code: says what a code is" \
	"^crf export: --site needs a site code, 2 to 8 upper-case letters or digits such as TJ01, not 'tj01'$" "$out"
expect_eq "export --site refused: no folder made" "no no no" \
	"$([ -e "$T/no1" ] && echo yes || echo no) $([ -e "$T/no2" ] && echo yes || echo no) $([ -e "$T/no3" ] && echo yes || echo no)"
expect_eq "export --site refused: nothing audited at the centre" 4 \
	"$(sqlite3 "$T/central.db" "SELECT count(*) FROM audit WHERE action = 'export'")"

# ---- R: the generated script loads every form, typed and labelled.
if ! command -v Rscript >/dev/null 2>&1; then
	not_ok "R: Rscript is not installed (make check installs r-base-core): read_crf.R not tried"
	exit 0
fi
out=$(cd "$T" && Rscript out/read_crf.R 2>&1); rc=$?
expect_eq "R: read_crf.R runs" 0 "$rc"
expect_eq "R: every form loaded" "$nforms" "$(printf '%s\n' "$out" | grep -c '^[a-z][a-z0-9_]*: [0-9]* rows, [0-9]* columns$')"
expect_match "R: dm, one row, every column" '^dm: 1 rows, 26 columns$' "$out"
expect_match "R: ae" '^ae: 1 rows, 28 columns$' "$out"
cat > "$T/check.R" <<'R'
crf_dir <- commandArgs(trailingOnly = TRUE)[1]
source(file.path(crf_dir, "read_crf.R"))
dm <- crf$dm
ae <- crf$ae
cat("sex:", class(dm$SEX), levels(dm$SEX), as.character(dm$SEX), attr(dm$SEX, "label"), "\n")
cat("date:", class(dm$VSDAT), format(dm$VSDAT), "\n")
cat("weight:", class(dm$WEIGHT), dm$WEIGHT, attr(dm$WEIGHT, "units"), "\n")
cat("ethnic:", is.na(dm$ETHNIC), as.character(dm$ETHNIC_MISS), "\n")
cat("hctci:", class(dm$HCTCI), "\n")
cat("event:", as.character(dm$event), levels(dm$event)[1:3], class(dm$event_repeat), "\n")
cat("ae:", ae$AETERM, "|", ae$AESTDAT, "|", as.character(ae$AEONGO), "|", is.na(ae$event), "\n")
cat("form:", attr(dm, "label"), "\n")
R
out=$(cd "$T" && Rscript check.R out 2>&1); rc=$?
expect_eq "R: the check script runs" 0 "$rc"
expect_eq "R: a factor with the labels as levels, a Date, a number with its unit, a code apart" \
"sex: factor Male Female Female Sex 
date: Date 2026-11-20 
weight: numeric 65 kg 
ethnic: TRUE Unknown 
hctci: integer 
event: scr scr mob aph integer 
ae: Rash on arm, \"mild\" 头痛 | 2026-03 | Yes | TRUE 
form: Demographics and baseline status " "$out"
out=$(cd "$T" && Rscript -e 'crf_dir <- "out"; crf_lang <- "zh"; source("out/read_crf.R"); cat(levels(crf$dm$SEX), attr(crf$dm$WEIGHT, "label"), as.character(crf$dm$ETHNIC_MISS), "\n")' 2>&1)
expect_eq "R: Chinese labels on request" "男 女 体重 未知 " "$out"
cat > "$T/same.R" <<'R'
crf_dir <- "out"; source("out/read_crf.R"); wide <- crf
crf_dir <- "long"; source("long/read_crf.R"); long <- crf
for (f in c("dm", "ae")) {
	a <- wide[[f]]; b <- long[[f]]
	stopifnot(identical(names(a), names(b)), nrow(a) == nrow(b))
	for (col in names(a))
		if (!isTRUE(all.equal(a[[col]], b[[col]], check.attributes = FALSE)))
			stop(f, "$", col, " differs")
}
cat("same\n")
R
out=$(cd "$T" && Rscript same.R 2>&1)
expect_eq "R: the long format gives the same data frames" "same" "$out"
