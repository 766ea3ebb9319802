package values

import "slices"

// Compare returns what changed from one version to another. Värdeord and promises are matched by their
// stable keys, so a renamed värdeord shows as changed rather than as one removed and one added. The
// result lists the items in the order of the newer version, with removed ones after them.
func Compare(from, to *Version) *Diff {
	d := &Diff{From: from, To: to, VisionChanged: from.Vision != to.Vision, CodeChanged: from.Code != to.Code}

	before := map[string]*VersionWord{}
	for i := range from.Words {
		before[from.Words[i].Key] = &from.Words[i]
	}
	for i := range to.Words {
		after := &to.Words[i]
		b, ok := before[after.Key]
		if !ok {
			d.Words = append(d.Words, WordChange{Change: Added, After: after, Behaviours: lines(nil, after.Behaviours)})
			continue
		}
		delete(before, after.Key)
		c := WordChange{Change: Same, Before: b, After: after, NameChanged: b.Name != after.Name,
			MeaningChanged: b.Meaning != after.Meaning, Behaviours: lines(b.Behaviours, after.Behaviours)}
		if c.NameChanged || c.MeaningChanged || !slices.Equal(b.Behaviours, after.Behaviours) {
			c.Change = Changed
		}
		d.Words = append(d.Words, c)
	}
	for i := range from.Words {
		if b, ok := before[from.Words[i].Key]; ok {
			d.Words = append(d.Words, WordChange{Change: Removed, Before: b, Behaviours: lines(b.Behaviours, nil)})
		}
	}

	promises := map[string]*Promise{}
	for i := range from.Promises {
		promises[from.Promises[i].Key] = &from.Promises[i]
	}
	for i := range to.Promises {
		after := &to.Promises[i]
		b, ok := promises[after.Key]
		if !ok {
			d.Promises = append(d.Promises, PromiseChange{Change: Added, After: after})
			continue
		}
		delete(promises, after.Key)
		c := PromiseChange{Change: Same, Before: b, After: after, TextChanged: b.Text != after.Text, TargetChanged: !sameTarget(b.Target, after.Target)}
		if c.TextChanged || c.TargetChanged {
			c.Change = Changed
		}
		d.Promises = append(d.Promises, c)
	}
	for i := range from.Promises {
		if b, ok := promises[from.Promises[i].Key]; ok {
			d.Promises = append(d.Promises, PromiseChange{Change: Removed, Before: b})
		}
	}
	return d
}

func sameTarget(a, b *Target) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// lines compares two lists of lines by their longest common subsequence, so that a behaviour added in
// the middle shows as one line added, not as every line after it changed.
func lines(before, after []string) []LineChange {
	n, m := len(before), len(after)
	// common[i][j] is the length of the longest common subsequence of before[i:] and after[j:].
	common := make([][]int, n+1)
	for i := range common {
		common[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if before[i] == after[j] {
				common[i][j] = common[i+1][j+1] + 1
			} else {
				common[i][j] = max(common[i+1][j], common[i][j+1])
			}
		}
	}
	var out []LineChange
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case before[i] == after[j]:
			out = append(out, LineChange{Change: Same, Text: after[j]})
			i++
			j++
		case common[i+1][j] >= common[i][j+1]:
			out = append(out, LineChange{Change: Removed, Text: before[i]})
			i++
		default:
			out = append(out, LineChange{Change: Added, Text: after[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, LineChange{Change: Removed, Text: before[i]})
	}
	for ; j < m; j++ {
		out = append(out, LineChange{Change: Added, Text: after[j]})
	}
	return out
}
