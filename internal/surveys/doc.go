// Package surveys is how a kommun learns whether its programme works: questionnaires sent in rounds, and
// results that are right and expose no one.
//
// It holds the HME template and SKR's scoring method (hme.go); the anonymity rule that decides which
// groups' figures may be shown, with secondary suppression across the tree and across filters
// (anonymity.go); the storage — surveys, rounds, invitations, answers stored without a link to the person,
// and per-unit roll-ups written in the same transaction as each answer, so that results cost O(units), not
// O(answers) (store.go, service.go); the kommunadmin's pages for building surveys and sending rounds by
// personal links, reminders or an open link with a QR code (admin.go, builder.go, rounds.go); the
// respondent's side, saved to continue later and submitted once (respond.go, handlers.go); and the
// results (results.go, results_handlers.go): per unit with roll-up through the tree, response rates,
// filters by a background question, HME, the values pulse, free text, the trend across rounds, XLSX and
// CSV exports (export.go), the JSON API (api.go) and published citizen results.
//
// The results page reads only what it shows — every group's number of answers, response rate and headline,
// and the selected group's figures summed in SQL — while exports, the API, the trend and the public page
// use the full computation over every group's roll-ups; both decide visibility the same way. A round with
// personal links shows its figures only once it has closed (View.Pending): while open, only numbers of
// answers and response rates, so that no one can watch a group's figures change between two submissions.
// A round with an open link shows live figures.
package surveys
