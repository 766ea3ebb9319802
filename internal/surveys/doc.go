// Package surveys is how a kommun learns whether its programme works: questionnaires sent in rounds, and
// results that are right and expose no one. This part is the pure core, free of any database: the HME
// template and SKR's scoring method (hme.go), and the anonymity rule that decides which groups' figures may
// be shown (anonymity.go).
package surveys
