// Package surveys is how a kommun learns whether its programme works: questionnaires sent in rounds, and
// results that are right and expose no one. So far it holds the HME template and SKR's scoring method
// (hme.go), the anonymity rule that decides which groups' figures may be shown (anonymity.go), and the
// storage: surveys, rounds, invitations, answers stored without a link to the person, and per-unit
// roll-ups written in the same transaction as each answer, so results cost O(units), not O(answers)
// (store.go, service.go), and the respondent's side: the questionnaire behind a personal link, saved to
// continue later and submitted once (respond.go, handlers.go). The admin's pages, sending and the API are
// still to come.
package surveys
