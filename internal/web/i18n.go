package web

// layoutEnglish is the layout's part of the English catalogue.
var layoutEnglish = map[string]string{
	"Sidnumrering": "Pagination", "Föregående": "Previous", "Nästa": "Next", "Sida": "Page", "av": "of",
	"Hoppa till innehållet":              "Skip to content",
	"Huvudmeny":                          "Main menu",
	"Start":                              "Home",
	"Värdegrund":                         "Core values",
	"Berättelser":                        "Stories",
	"Organisation":                       "Organisation",
	"Personer":                           "People",
	"Import":                             "Import",
	"Inställningar":                      "Settings",
	"Kommuner":                           "Municipalities",
	"Logga ut":                           "Sign out",
	"Logga in":                           "Sign in",
	"Till startsidan":                    "To the start page",
	"värdegrund och värdskap i kommunen": "core values and hostship in the municipality",
	"Sidan finns inte.":                  "The page does not exist.",
	"Du har inte behörighet till den här sidan.":       "You do not have access to this page.",
	"Logga in för att fortsätta.":                      "Sign in to continue.",
	"Något gick fel hos oss. Försök igen om en stund.": "Something went wrong on our side. Please try again shortly.",
	"Kontrollera uppgifterna i formuläret.":            "Please check the form.",
	"Formuläret kunde inte läsas.":                     "The form could not be read.",
	"Metoden stöds inte för den här adressen.":         "The method is not supported for this address.",
	"Not Found": "Not Found",
	"Forbidden": "Forbidden",
}
