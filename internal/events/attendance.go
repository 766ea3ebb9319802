package events

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vard-kommun/vard/internal/db"
	"github.com/vard-kommun/vard/internal/org"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Attendance counts, per förvaltning, the invitations, yes answers and check-ins of the kommun's events
// that start in the year (Stockholm time), cancelled events left out. A person counts in the förvaltning
// of the unit they were in when invited; external guests and people without a unit in a row of their own.
func (s *Service) Attendance(ctx context.Context, tenantID int64, year int) ([]Attendance, Attendance, error) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, Stockholm).UTC()
	to := time.Date(year+1, 1, 1, 0, 0, 0, 0, Stockholm).UTC()
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT COALESCE(i.unit_id, 0), COUNT(*),
		SUM(CASE WHEN i.status = $4 THEN 1 ELSE 0 END), COUNT(c.id)
		FROM event_invitations i JOIN events e ON e.id = i.event_id
		LEFT JOIN event_checkins c ON c.invitation_id = i.id
		WHERE e.tenant_id = $1 AND e.starts_at >= $2 AND e.starts_at < $3 AND e.cancelled_at IS NULL
		GROUP BY COALESCE(i.unit_id, 0)`, tenantID, from, to, string(StatusYes))
	type unitRow struct {
		unit                  int64
		invited, yes, checked int
	}
	list, err := db.Collect(rows, err, func(r db.Row) (unitRow, error) {
		var u unitRow
		return u, r.Scan(&u.unit, &u.invited, &u.yes, &u.checked)
	})
	var total Attendance
	if err != nil {
		return nil, total, fmt.Errorf("attendance: %w", err)
	}
	tree, err := s.Org.Tree(ctx, tenantID)
	if err != nil {
		return nil, total, err
	}
	byDept := map[int64]*Attendance{}
	for _, u := range list {
		var dept *org.Unit
		if u.unit != 0 {
			dept = tree.Department(u.unit)
		}
		key, name := int64(0), "Externa gäster och personer utan enhet"
		if dept != nil {
			key, name = dept.ID, dept.Name
		}
		a := byDept[key]
		if a == nil {
			a = &Attendance{DepartmentID: key, Department: name}
			byDept[key] = a
		}
		a.Invited += u.invited
		a.Yes += u.yes
		a.CheckedIn += u.checked
		total.Invited += u.invited
		total.Yes += u.yes
		total.CheckedIn += u.checked
	}
	out := make([]Attendance, 0, len(byDept))
	for _, a := range byDept {
		out = append(out, *a)
	}
	col := collate.New(language.Swedish)
	slices.SortFunc(out, func(a, b Attendance) int {
		if (a.DepartmentID == 0) != (b.DepartmentID == 0) {
			if a.DepartmentID == 0 {
				return 1
			}
			return -1
		}
		return cmp.Or(col.CompareString(a.Department, b.Department), cmp.Compare(a.DepartmentID, b.DepartmentID))
	})
	return out, total, nil
}

// Attended returns the ids of the people of the kommun who checked in at the event, for the follow-up
// questions; another kommun's event gives none.
func (s *Service) Attended(ctx context.Context, tenantID, eventID int64) ([]int64, error) {
	rows, err := s.Store.DB.Read().QueryContext(ctx, `SELECT DISTINCT i.person_id FROM event_checkins c
		JOIN event_invitations i ON i.id = c.invitation_id JOIN events e ON e.id = i.event_id
		WHERE e.tenant_id = $1 AND e.id = $2 AND i.person_id IS NOT NULL ORDER BY i.person_id`, tenantID, eventID)
	return db.Collect(rows, err, func(r db.Row) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}
