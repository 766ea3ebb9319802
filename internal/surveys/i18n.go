package surveys

// english returns the respondent's pages' part of the English catalogue.
func english() map[string]string {
	return map[string]string{
		"Enkäten är inte anonym.": "The survey is not anonymous.",
		"Dina svar sparas med ditt namn, och de som ser resultatet kan se vad du har svarat.": "Your answers are stored with your name, and those who see the results can see what you answered.",
		"Dina svar är anonyma.": "Your answers are anonymous.",
		"Svaren sparas utan koppling till dig, och resultat visas bara för grupper med tillräckligt många svar.": "The answers are stored without any link to you, and results are only shown for groups with enough answers.",
		"måste besvaras":            "required",
		"Skicka svaren":             "Send the answers",
		"Spara och fortsätt senare": "Save and continue later",
		"Du kan bara skicka dina svar en gång. Sparar du och fortsätter senare används samma länk.": "You can send your answers only once. If you save and continue later, use the same link.",
		"Tack för dina svar": "Thank you for your answers",
		"Dina svar är mottagna. Du behöver inte göra något mer.": "Your answers have been received. You need not do anything more.",
		"Du kan stänga sidan nu.":                                "You can close the page now.",
		"Kontrollera att du har fått med hela länken från e-postmeddelandet. Kopiera den gärna på nytt.":                             "Check that you have the whole link from the e-mail. Try copying it again.",
		"Det går inte att svara på enkäten med den här länken längre. Varje länk kan användas för ett svar, medan enkäten är öppen.": "The survey can no longer be answered with this link. Each link can be used for one answer, while the survey is open.",
		"Försök igen när enkäten har öppnat.":                               "Please try again when the survey has opened.",
		"Har du frågor om enkäten, kontakta den som skickade den till dig.": "If you have questions about the survey, contact whoever sent it to you.",

		// Scales, hints and the flash.
		sayLikertLow: "Strongly disagree", sayLikertHigh: "Strongly agree",
		sayDontKnow: "Don't know / not applicable", sayNoAnswer: "No answer",
		hintMultiple: "Choose one or more options.", hintScale: "0 means not at all and 10 completely.",
		msgDraftSaved: "Your answers are saved. Open the same link again to continue.",

		// Errors a respondent may meet.
		"Enkäten är inte öppen för svar just nu.":                                  "The survey is not open for answers right now.",
		"Den här länken har redan använts för att svara.":                          "This link has already been used to answer.",
		"Länken till enkäten är ogiltig.":                                          "The link to the survey is not valid.",
		"Svaret saknar en giltig sändningsnyckel. Ladda om sidan och försök igen.": "The answer lacks a valid sending key. Reload the page and try again.",
		"Enkäten har inte öppnat för svar ännu.":                                   "The survey has not opened for answers yet.",
		"Frågan finns inte i enkäten.":                                             "The question is not in the survey.",
		"Frågan är besvarad mer än en gång.":                                       "The question is answered more than once.",
		"Frågan måste besvaras.":                                                   "The question must be answered.",
		"Svaret på en fritextfråga ska vara text.":                                 "The answer to a free-text question must be text.",
		"Skriv ett svar eller lämna frågan tom.":                                   "Write an answer or leave the question empty.",
		"Svaret innehåller otillåtna tecken.":                                      "The answer contains characters that are not allowed.",
		"Välj bland svarsalternativen.":                                            "Choose among the options.",
		"Välj minst ett svarsalternativ.":                                          "Choose at least one option.",
		"Välj ett svar.":                                                           "Choose an answer.",
		"Svaret ska vara mellan 1 och 5.":                                          "The answer must be between 1 and 5.",
		"Svaret ska vara mellan 0 och 10.":                                         "The answer must be between 0 and 10.",
		msgNotANumber:                                                              "The answer could not be read. Choose one of the options.",
		msgOneAnswer:                                                               "The question can only have one answer.",
	}
}
