package sqldict

import "database/sql"

// PageBytes bounds the bytes of values, keys and metadata one page of a
// history scan or of a watch holds in memory (plus the one row that crosses
// it): a page of 512 entries of MaxValueSize each would be gigabytes.
const PageBytes = 4 << 20

// pager sizes the pages of a scan whose rows may be large. A page ends at
// budget bytes (always after at least one row), and the next page asks the
// database for as many rows as the largest row of the last page fits in the
// budget, so that a page cut short discards few rows already sent.
type pager struct {
	budget int
	rows   int // how many rows the next query asks for
}

func newPager(budget, rows int) *pager {
	return &pager{budget: budget, rows: rows}
}

// size is what an entry holds in memory, near enough.
func size(e Entry) int {
	return len(e.Value) + len(e.Key) + len(e.Author) + len(e.Comment) + 64
}

// collect reads rows until the budget is spent. cut reports that it stopped
// there, perhaps before the rows ended: the page may be shorter than the
// limit asked for.
func (p *pager) collect(rows *sql.Rows, err error) (page []Entry, cut bool, _ error) {
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	total, largest := 0, 1
	// The budget is checked before the next row is read: a row read and
	// left behind would be held by the driver until the rows are freed.
	for total < p.budget && rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, false, err
		}
		page = append(page, e)
		total += size(e)
		largest = max(largest, size(e))
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	cut = total >= p.budget // more rows may follow
	p.rows = min(max(p.budget/largest, 1), pageSize)
	return page, cut, nil
}
