package values

import "strconv"

// english returns the värdegrund pages' part of the English catalogue, with the start page's.
func english() map[string]string {
	en := map[string]string{
		// The start page.
		"Start": "Home", "Välkommen": "Welcome", "Din plats": "Your place", "Ingen enhet angiven": "No unit set",
		"Befattning": "Job title", "Roller": "Roles", "Medarbetare": "Employee", "Genvägar": "Shortcuts",
		"Organisationen": "The organisation", "Förvaltningar, enheter och arbetslag": "Departments, units and teams",
		"Personer": "People", "aktiva personer": "active people", "Importera från HR-systemet": "Import from the HR system",
		"CSV eller Excel från Visma, Heroma m.fl.": "CSV or Excel from Visma, Heroma and others",
		"Inställningar": "Settings", "Inloggning och API-nycklar": "Sign-in and API tokens",
		"Kommunens publika sida": "The municipality's public page", "Vår värdegrund": "Our core values",
		"Läs hela värdegrunden":                       "Read the core values in full",
		"Kommunen har ännu ingen antagen värdegrund.": "The municipality has not adopted its core values yet.",
		"Fortsätt med utkastet till värdegrund":       "Continue the draft of the core values",
		"Skriv kommunens värdegrund":                  "Write the municipality's core values",
		"Värdegrundens versioner":                     "Versions of the core values",
		"Utkast, antagande och historik":              "Drafts, adoption and history",

		// The document.
		"Värdegrund": "Core values", "Vision": "Vision", "Värdeord": "Value words", "Så här gör vi": "This is what we do",
		"Värdskapskod": "Hostship code", "Servicedeklaration": "Service declaration",
		"Det här lovar vi dig som bor, verkar eller besöker kommunen:": "This is what we promise you who live in, work in or visit the municipality:",
		"Mål:": "Target:", "Mäts som:": "Measured as:", "Antagen av": "Adopted by", "diarienummer": "reference number",
		"Värdegrunden på kommunens publika sida": "The core values on the municipality's public page",
		"Versioner och historik":                 "Versions and history", "Fortsätt med utkastet": "Continue the draft",
		"Nytt utkast från den här versionen": "New draft from this version",

		// Statuses, changes and units.
		"Utkast": "Draft", "Gällande": "In force", "Ersatt": "Replaced",
		"Ny": "New", "Borttagen": "Removed", "Ändrad": "Changed", "Oförändrad": "Unchanged",
		"arbetsdagar": "working days", "dagar": "days", "timmar": "hours", "minuter": "minutes", "procent": "percent",
		"arbetsdag": "working day", "dag": "day", "timme": "hour", "minut": "minute", "%": "%",

		// Versions and one version.
		"Brödsmulor": "Breadcrumbs", "Versioner": "Versions", "Version": "Version", "version": "version",
		"Kommunen skriver en ny version som ett utkast. När beslutet är fattat registrerar du det, och versionen blir gällande. Antagna versioner kan inte ändras men finns alltid kvar i historiken.": "The municipality writes a new version as a draft. When the decision has been taken you record it, and the version comes into force. Adopted versions cannot be changed but always stay in the history.",
		"Nytt utkast": "New draft", "Börja från": "Start from", "Ett tomt utkast": "An empty draft", "Skapa utkast": "Create draft",
		"Historik": "History", "Status": "Status", "Antagen": "Adopted", "Beslutad av": "Decided by",
		"Diarienummer": "Reference number", "Senast ändrad": "Last changed",
		"Kommunen har inga versioner ännu.": "The municipality has no versions yet.",
		"Jämför två versioner":              "Compare two versions", "Från": "From", "Till": "To", "Jämför": "Compare",
		"Registrerad i Värd": "Recorded in Värd", "av": "by", "Påbörjad": "Started", "Utgår från": "Based on",
		"tidigare version": "earlier version", "Redigera": "Edit", "Registrera beslutet och anta": "Record the decision and adopt",
		"Ta bort utkastet": "Delete the draft", "Jämför med version": "Compare with version",
		"Utkastet är tomt än så länge.": "The draft is empty so far.",

		// The comparison.
		"Jämför versioner": "Compare versions", "Det behövs minst två versioner för att jämföra.": "Two versions are needed to compare.",
		"Från version": "From version", "till version": "to version",
		"Borttagen text är överstruken och ny text understruken.": "Removed text is struck through and new text underlined.",
		"Versionerna har samma innehåll.":                         "The versions have the same content.",
		"Namn:":                                                   "Name:", "före:": "before:", "efter:": "after:", "nytt:": "new:", "borttaget:": "removed:",
		"Inga värdeord i någon av versionerna.": "No value words in either version.",
		"Inga löften i någon av versionerna.":   "No promises in either version.",
		"Tom i båda versionerna.":               "Empty in both versions.",
		"Välj två versioner att jämföra.":       "Choose two versions to compare.",

		// The edit form.
		"Redigera utkast": "Edit draft", "Spara utkastet": "Save the draft", "Avbryt": "Cancel",
		"Ändringarna är inte sparade ännu. Spara när du är klar.":                                                                                                "The changes are not saved yet. Save when you are done.",
		"En eller ett par meningar om vart kommunen vill, till exempel ”Det goda livet i storstadens närhet”.":                                                   "A sentence or two on where the municipality is heading, for example “The good life close to the city”.",
		"Högst 12 värdeord. Skriv vad ordet betyder och vad man gör när man lever det, ett beteende per rad. Töm alla fält i en rad för att ta bort värdeordet.": "At most 12 value words. Write what the word means and what people do when they live it, one behaviour per line. Empty every field of a row to remove the value word.",
		"Namn": "Name", "Betydelse": "Meaning", "Ett beteende per rad.": "One behaviour per line.",
		"Flytta upp": "Move up", "Värdeord nr": "Value word no.", "värdeord": "value word", "löfte": "promise",
		"Fler rader för värdeord": "More rows for value words", "Värdskapskoden": "The hostship code",
		"Hur vi möter invånare, besökare och varandra. Ny rad ger nytt stycke.": "How we meet residents, visitors and each other. A new line starts a new paragraph.",
		"Kommunens löften, till exempel ”Du får svar på e-post inom en arbetsdag”. Ett löfte kan ha ett mätbart mål som styrkortet följer upp. Töm alla fält i en rad för att ta bort löftet.": "The municipality's promises, for example “You get an answer to an e-mail within one working day”. A promise may have a measurable target that the scorecard follows up. Empty every field of a row to remove the promise.",
		"Löfte": "Promise", "Löftet": "The promise", "Mätbart mål (valfritt)": "Measurable target (optional)",
		"Målvärde": "Target value", "Räknas i": "Counted in", "Inget mätbart mål": "No measurable target",
		"Hur det mäts": "How it is measured", "Fler rader för löften": "More rows for promises",

		// Adoption and deletion.
		"Anta värdegrunden": "Adopt the core values",
		"När beslutet är fattat registrerar du det här. Versionen blir då kommunens gällande värdegrund och kan inte längre ändras. Den version som gällde tidigare finns kvar i historiken.": "When the decision has been taken, record it here. The version then becomes the municipality's core values in force and can no longer be changed. The version in force before stays in the history.",
		"Beslutsdatum": "Date of the decision", "ÅÅÅÅ-MM-DD": "YYYY-MM-DD",
		"Till exempel kommunfullmäktige eller kommunstyrelsen.": "For example the municipal council or the municipal executive board.",
		"Diarienummer (valfritt)":                               "Reference number (optional)", "Det här antas": "This is what is adopted",
		"Utkastet och allt som skrivits i det tas bort för gott. Antagna versioner påverkas inte.": "The draft and everything written in it is deleted for good. Adopted versions are not affected.",
		"Ja, ta bort utkastet": "Yes, delete the draft",

		// Flashes and errors.
		"Ett nytt utkast är skapat.": "A new draft is created.", "Utkastet är sparat.": "The draft is saved.",
		"Värdegrunden är antagen och gäller nu.":       "The core values are adopted and now in force.",
		"Utkastet är borttaget.":                       "The draft is deleted.",
		ErrDraftExists.Message:                         "There is a draft already. Continue with it, or delete it first.",
		errNotDraft.Message:                            "The version is adopted and cannot be changed. Make a new draft from it instead.",
		errNothingToAdopt.Message:                      "The draft needs a vision or at least one value word before it can be adopted.",
		errNotFound.Message:                            "The version does not exist.",
		errAPINoValues.Message:                         "The municipality has not adopted its core values yet.",
		"Okänd parameter. Listan har inga parametrar.": "Unknown parameter. The list has no parameters.",
		"Ogiltiga parametrar i frågesträngen.":         "Invalid parameters in the query string.",
		msgRequired:                                    "This field is required.",
		msgControl:                                     "The text contains characters that are not allowed.",
		msgWordName:                                    "Give the value word a name.",
		msgWordTwice:                                   "Two value words cannot have the same name.",
		msgTooManyWords:                                "The core values can have at most " + strconv.Itoa(MaxWords) + " value words.",
		msgTooManyProm:                                 "The service declaration can have at most " + strconv.Itoa(MaxPromises) + " promises.",
		msgTooManyBeh:                                  "A value word can have at most " + strconv.Itoa(MaxBehaviours) + " behaviours.",
		msgBehaviourLong:                               "Each behaviour may be at most " + strconv.Itoa(maxBehaviourLen) + " characters.",
		msgPromiseText:                                 "Write the promise itself.",
		msgTargetNumber:                                "Give the target value as a number, for example 1 or 2.5.",
		msgTargetTooLarge:                              "The target value is too large.",
		msgPercent:                                     "A target in percent can be at most 100.",
		msgTargetUnit:                                  "Choose what the target value is counted in.",
		msgTargetValue:                                 "Give a target value, or choose “No measurable target”.",
		msgDate:                                        "Give the date as YYYY-MM-DD, for example 2024-03-18.",
		msgFutureDate:                                  "The date cannot be in the future.",
		msgBeforeCurrent:                               "The date cannot be earlier than the adoption of the core values in force.",
	}
	for _, n := range textLimits {
		en[msgTooLong(n)] = "The text may be at most " + strconv.Itoa(n) + " characters."
	}
	return en
}
