package values

import (
	"context"
	"fmt"
	"strings"
)

// Demo gives the demo kommun a värdegrund: one adopted in 2019 with the words Engagemang, Tillit and
// Tillsammans, and the one that replaced it in 2023, with Tillsammans, Drivkraft and Medkänsla and a
// servicedeklaration with measurable targets. It goes through the same rules as the pages, and does
// nothing when the kommun already has a version, so that `vard demo` can be restarted.
func Demo(ctx context.Context, svc *Service, tenantID int64, adminID int64) error {
	list, err := svc.Versions(ctx, tenantID)
	if err != nil || len(list) > 0 {
		return err
	}
	old, err := demoVersion(ctx, svc, tenantID, adminID, 0, demo2019, nil, AdoptionInput{Date: "2019-11-18", Body: "Kommunfullmäktige", RegistrationNumber: "KS 2019/412"})
	if err != nil {
		return fmt.Errorf("demo värdegrund 2019: %w", err)
	}
	if _, err := demoVersion(ctx, svc, tenantID, adminID, old, demo2023, map[int]int{0: 0, 4: 1}, AdoptionInput{Date: "2023-05-15", Body: "Kommunfullmäktige", RegistrationNumber: "KS 2023/145"}); err != nil {
		return fmt.Errorf("demo värdegrund 2023: %w", err)
	}
	return nil
}

// demoVersion writes one version as a draft (from the version fromID) and adopts it. keep names the
// promises that are the old version's promises reworded: new index → old index.
func demoVersion(ctx context.Context, svc *Service, tenantID, adminID, fromID int64, in DraftInput, keep map[int]int, a AdoptionInput) (int64, error) {
	v, err := svc.CreateDraft(ctx, tenantID, fromID, adminID)
	if err != nil {
		return 0, err
	}
	in.Words = append([]WordInput(nil), in.Words...)
	// Words the new version keeps from the old one keep their keys, as when a person edits the copy.
	for i, w := range in.Words {
		for _, old := range v.Words {
			if old.Name == w.Name {
				in.Words[i].Key = old.Key
			}
		}
	}
	in.Promises = append([]PromiseInput(nil), in.Promises...)
	for i, old := range keep {
		in.Promises[i].Key = v.Promises[old].Key
	}
	if _, err := svc.SaveDraft(ctx, tenantID, v.ID, in); err != nil {
		return 0, err
	}
	return v.ID, svc.Adopt(ctx, tenantID, v.ID, a, adminID)
}

func joinLines(s ...string) string { return strings.Join(s, "\n") }

var demo2019 = DraftInput{
	Vision: "Exempelby – en kommun att växa i.",
	Words: []WordInput{
		{Name: "Engagemang", Meaning: "Vi brinner för vårt uppdrag och tar ansvar för helheten.",
			Behaviours: joinLines("Vi tar initiativ i stället för att vänta på att någon annan gör det.", "Vi följer upp det vi lovar.", "Vi är nyfikna på hur vi kan bli bättre.")},
		{Name: "Tillit", Meaning: "Vi litar på varandra och på dem vi är till för.",
			Behaviours: joinLines("Vi håller det vi lovar.", "Vi ger och tar emot förtroende.", "Vi är öppna med hur vi fattar beslut.")},
		{Name: "Tillsammans", Meaning: "Vi är en kommun, inte många förvaltningar.",
			Behaviours: joinLines("Vi hjälper varandra över gränserna.", "Vi delar med oss av det vi kan.", "Vi firar framgångar gemensamt.")},
	},
	Code: joinLines("Vi är värdar för alla som möter kommunen.", "Vi hälsar, lyssnar och tar reda på svaret."),
	Promises: []PromiseInput{
		{Text: "Du får svar på e-post inom två arbetsdagar.", TargetValue: "2", TargetUnit: string(UnitWorkingDays), Measure: "Andel e-post som besvaras inom två arbetsdagar"},
		{Text: "Du blir bemött med respekt."},
	},
}

var demo2023 = DraftInput{
	Vision: "Det goda livet i storstadens närhet.",
	Words: []WordInput{
		{Name: "Tillsammans", Meaning: "Vi är en kommun och löser uppdraget bäst när vi gör det ihop, med varandra och med dem vi är till för.",
			Behaviours: joinLines("Vi hjälper varandra över gränserna mellan förvaltningar.", "Vi delar med oss av det vi kan och lär av andra.",
				"Vi bjuder in invånare och företagare när vi utvecklar verksamheten.", "Vi firar framgångar gemensamt.")},
		{Name: "Drivkraft", Meaning: "Vi vågar tänka nytt och gör det som behövs, i rätt tid.",
			Behaviours: joinLines("Vi tar initiativ och prövar nya arbetssätt.", "Vi ser möjligheter i stället för hinder.",
				"Vi följer upp det vi gör och lär av misstag.")},
		{Name: "Medkänsla", Meaning: "Vi möter varje människa med värme, respekt och förståelse för hennes situation.",
			Behaviours: joinLines("Vi lyssnar för att förstå, inte för att svara.", "Vi sätter oss in i den andras situation.",
				"Vi är vänliga också när svaret är nej.", "Vi bryr oss om varandra på jobbet.")},
	},
	Code: joinLines("Vi är värdar för alla som bor, verkar och besöker Exempelby.",
		"Vi hälsar först, ler och tar ögonkontakt.",
		"Vi lyssnar, tar reda på svaret och lotsar rätt – ingen ska behöva bli skickad runt.",
		"Vi gör det lilla extra som får människor att känna sig väntade och välkomna."),
	Promises: []PromiseInput{
		{Text: "Du får svar på e-post inom en arbetsdag.", TargetValue: "1", TargetUnit: string(UnitWorkingDays), Measure: "Andel e-post som besvaras inom en arbetsdag"},
		{Text: "Du får svar i telefon inom två minuter.", TargetValue: "2", TargetUnit: string(UnitMinutes), Measure: "Genomsnittlig väntetid i kontaktcenter"},
		{Text: "Du får beslut om bygglov inom fyra veckor från komplett ansökan.", TargetValue: "28", TargetUnit: string(UnitDays), Measure: "Handläggningstid för bygglov"},
		{Text: "Minst nio av tio besökare känner sig väl bemötta.", TargetValue: "90", TargetUnit: string(UnitPercent), Measure: "Andel nöjda i bemötandeenkäten"},
		{Text: "Du blir bemött med respekt och får veta vad som händer med ditt ärende."},
	},
}
