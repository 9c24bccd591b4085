package sqldict

import (
	"fmt"
	"regexp"
	"strings"
)

var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// ValidTable reports whether name is acceptable as Options.Table: a
// lower-case identifier of at most MaxTableLength bytes that no supported
// engine reserves. The journal's statements name its tables unquoted, and a
// reserved word that one engine takes as a name may be a syntax error on
// another, so the name is refused on every engine alike. Open also refuses,
// with ErrInvalidArgument, a new journal whose tables (the journal, its
// head, meta and migrations tables, and on SQLite and PostgreSQL its
// indexes) would take a name another table or index already has.
func ValidTable(name string) error {
	if len(name) > MaxTableLength || !tableName.MatchString(name) {
		return fmt.Errorf("%w: table name %q: want [a-z_][a-z0-9_]* of at most %d bytes", ErrInvalidArgument, name, MaxTableLength)
	}
	if reserved[name] {
		return fmt.Errorf("%w: table name %q is a reserved word in SQLite, MySQL/MariaDB or PostgreSQL", ErrInvalidArgument, name)
	}
	return nil
}

// reserved holds the words no journal may be named.
var reserved = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(reservedWords) {
		m[w] = true
	}
	return m
}()

const reservedWords = "" +
	// SQLite: every keyword (https://sqlite.org/lang_keywords.html); some parse as names today, which SQLite does not promise.
	"abort action add after all alter always analyze and as asc attach " +
	"autoincrement before begin between by cascade case cast check collate " +
	"column commit conflict constraint create cross current current_date " +
	"current_time current_timestamp database default deferrable deferred " +
	"delete desc detach distinct do drop each else end escape except " +
	"exclude exclusive exists explain fail filter first following for " +
	"foreign from full generated glob group groups having if ignore " +
	"immediate in index indexed initially inner insert instead intersect " +
	"into is isnull join key last left like limit match materialized " +
	"natural no not nothing notnull null nulls of offset on or order others " +
	"outer over partition plan pragma preceding primary query raise range " +
	"recursive references regexp reindex release rename replace restrict " +
	"returning right rollback row rows savepoint select set table temp " +
	"temporary then ties to transaction trigger unbounded union unique " +
	"update using vacuum values view virtual when where window with without " +
	// PostgreSQL: pg_get_keywords() of category R and T (reserved; function or type names).
	"all analyse analyze and any array as asc asymmetric authorization " +
	"binary both case cast check collate collation column concurrently " +
	"constraint create cross current_catalog current_date current_role " +
	"current_schema current_time current_timestamp current_user default " +
	"deferrable desc distinct do else end except false fetch for foreign " +
	"freeze from full grant group having ilike in initially inner intersect " +
	"into is isnull join lateral leading left like limit localtime " +
	"localtimestamp natural not notnull null offset on only or order outer " +
	"overlaps placing primary references returning right select " +
	"session_user similar some symmetric table tablesample then to trailing " +
	"true union unique user using variadic verbose when where window with " +
	// MariaDB 10.11: its information_schema.KEYWORDS that fail as an unquoted table name.
	"accessible add all alter analyze and as asc asensitive before between " +
	"bigint binary blob both by call cascade case change char character " +
	"check collate column condition constraint continue convert create " +
	"cross current_date current_role current_time current_timestamp " +
	"current_user cursor databases day_hour day_microsecond day_minute " +
	"day_second dec decimal declare default delayed delete delete_domain_id " +
	"desc describe deterministic distinct distinctrow div do_domain_ids " +
	"double drop dual each else elseif enclosed escaped except exists exit " +
	"explain false fetch float float4 float8 for force foreign from " +
	"fulltext grant group having high_priority hour_microsecond hour_minute " +
	"hour_second if ignore ignore_domain_ids in index infile inner inout " +
	"insensitive insert int int1 int2 int3 int4 int8 integer intersect " +
	"interval into is iterate join key keys kill leading leave left like " +
	"limit linear lines load localtime localtimestamp lock long longblob " +
	"longtext loop low_priority master_demote_to_replica " +
	"master_demote_to_slave master_ssl_verify_server_cert match maxvalue " +
	"mediumblob mediumint mediumtext middleint minute_microsecond " +
	"minute_second mod modifies natural no_write_to_binlog not null numeric " +
	"offset on optimize optionally or order out outer outfile over " +
	"page_checksum parse_vcol_expr partition portion precision primary " +
	"procedure purge range read read_write reads real recursive " +
	"ref_system_id references regexp release rename repeat replace require " +
	"resignal restrict return returning revoke right rlike row_number rows " +
	"schemas second_microsecond select sensitive separator set show signal " +
	"smallint spatial specific sql sql_big_result sql_calc_found_rows " +
	"sql_small_result sqlexception sqlstate sqlwarning ssl starting " +
	"stats_auto_recalc stats_persistent stats_sample_pages straight_join " +
	"table terminated then tinyblob tinyint tinytext to trailing trigger " +
	"true undo union unique unlock unsigned update usage use using utc_date " +
	"utc_time utc_timestamp values varbinary varchar varcharacter varying " +
	"when where while with write xor year_month zerofill " +
	// MySQL 8: reserved words MariaDB lacks.
	"cube cume_dist dense_rank empty first_value generated get grouping " +
	"groups io_after_gtids io_before_gtids json_table lag last_value " +
	"lateral lead manual master_bind nth_value ntile of optimizer_costs " +
	"parallel percent_rank qualify rank row stored system virtual window "
