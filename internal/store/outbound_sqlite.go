package store

// byID names a table (with its alias, if any) that a hot statement reads or
// updates by its integer primary key. On SQLite it adds NOT INDEXED: the rowid lookup stays, but
// the planner no longer weighs the table's other indexes on id (messages
// has several), and that weighing is what made SQLite, once it has
// statistics, prepare the statement a second time at its first step with
// the bound id (about a tenth of the CPU of sending at 1,000/s). PostgreSQL
// has no such clause and needs none.
func byID(dialect, table string) string {
	if dialect == SQLite {
		return table + " NOT INDEXED"
	}
	return table
}
