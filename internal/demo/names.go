package demo

// The demo kommun's raw material: förvaltningar, enheter with the arbetslag they may have, titles and
// names. Everything here is in a fixed order; the random choices made from it live in plan.go.

// unitKind is a kind of workplace: what its arbetslag may be called (the most common first), what the
// people there do, what its chefs are called and how big its arbetslag tend to be.
type unitKind struct {
	chef     string   // title of the enhetschef
	teamChef string   // title of an arbetslag's chef
	weight   int      // relative size of an arbetslag
	teams    []string // possible arbetslag, the most common first
	titles   []string // titles of the people, repeated to weight the common ones
}

// unitSpec is one enhet of a förvaltning.
type unitSpec struct {
	name string
	kind *unitKind
}

// departmentSpec is one förvaltning.
type departmentSpec struct {
	name  string
	chef  string // title of the förvaltningschef
	units []unitSpec
}

var (
	hr = &unitKind{chef: "HR-chef", teamChef: "Gruppchef", weight: 2,
		teams:  []string{"HR-stöd", "Lön och pension", "Arbetsmiljö och hälsa", "Kompetensförsörjning", "Rekrytering", "Förhandling"},
		titles: []string{"HR-specialist", "HR-konsult", "Lönehandläggare", "Lönehandläggare", "HR-administratör", "Arbetsmiljösamordnare"}}
	finance = &unitKind{chef: "Ekonomichef", teamChef: "Gruppchef", weight: 2,
		teams:  []string{"Redovisning", "Budget och analys", "Upphandling", "Ekonomiservice", "Finans", "Controllers"},
		titles: []string{"Ekonom", "Controller", "Redovisningsekonom", "Upphandlare", "Ekonomiassistent"}}
	ict = &unitKind{chef: "IT-chef", teamChef: "Gruppchef", weight: 2,
		teams:  []string{"Servicedesk", "Drift och nätverk", "Digitalisering", "Systemförvaltning", "Informationssäkerhet", "E-tjänster"},
		titles: []string{"IT-tekniker", "Supporttekniker", "Systemförvaltare", "Digitaliseringsstrateg", "Nätverkstekniker"}}
	chancery = &unitKind{chef: "Kanslichef", teamChef: "Gruppchef", weight: 2,
		teams:  []string{"Nämndsekretariat", "Registratur och arkiv", "Juridik", "Säkerhet och beredskap", "Överförmyndare"},
		titles: []string{"Nämndsekreterare", "Registrator", "Arkivarie", "Kommunjurist", "Säkerhetssamordnare"}}
	communication = &unitKind{chef: "Kommunikationschef", teamChef: "Gruppchef", weight: 2,
		teams:  []string{"Webb och intranät", "Press och information", "Kontaktcenter", "Grafisk form", "Näringslivskontakt"},
		titles: []string{"Kommunikatör", "Webbredaktör", "Kommunikationsstrateg", "Kontaktcenterhandläggare", "Kontaktcenterhandläggare"}}

	school = &unitKind{chef: "Rektor", teamChef: "Arbetslagsledare", weight: 4,
		teams: []string{"Förskoleklass", "Arbetslag 1–3", "Arbetslag 4–6", "Arbetslag 7–9", "Fritidshemmet Solen", "Fritidshemmet Månen",
			"Anpassad grundskola", "Studiehandledning och modersmål", "Skolköket", "Elevhälsoteamet"},
		titles: []string{"Lärare", "Lärare", "Lärare", "Lärare", "Lärare", "Speciallärare", "Elevassistent", "Elevassistent", "Lärare i fritidshem"}}
	upperSchool = &unitKind{chef: "Rektor", teamChef: "Arbetslagsledare", weight: 4,
		teams: []string{"Naturvetenskapsprogrammet", "Samhällsvetenskapsprogrammet", "Ekonomiprogrammet", "Vård- och omsorgsprogrammet",
			"Bygg- och anläggningsprogrammet", "El- och energiprogrammet", "Introduktionsprogrammen", "Språkintroduktion", "Elevhälsoteamet"},
		titles: []string{"Gymnasielärare", "Gymnasielärare", "Gymnasielärare", "Gymnasielärare", "Yrkeslärare", "Yrkeslärare",
			"Studie- och yrkesvägledare", "Specialpedagog"}}
	preschool = &unitKind{chef: "Rektor", teamChef: "Arbetslagsledare", weight: 3,
		teams: []string{"Avdelning Blåsippan", "Avdelning Humlan", "Avdelning Ekorren", "Avdelning Älgen", "Avdelning Ugglan",
			"Avdelning Lärkan", "Avdelning Igelkotten", "Förskoleköket"},
		titles: []string{"Förskollärare", "Förskollärare", "Förskollärare", "Barnskötare", "Barnskötare", "Barnskötare", "Resurspedagog"}}
	pupilHealth = &unitKind{chef: "Elevhälsochef", teamChef: "Samordnare", weight: 2,
		teams:  []string{"Skolsköterskor", "Kuratorer", "Skolpsykologer", "Specialpedagogiskt stöd", "Logopeder"},
		titles: []string{"Skolsköterska", "Kurator", "Skolpsykolog", "Specialpedagog", "Logoped"}}

	childFamily = &unitKind{chef: "Enhetschef", teamChef: "Gruppledare", weight: 3,
		teams:  []string{"Mottagningsgruppen", "Utredningsgruppen", "Familjebehandling", "Placeringsgruppen", "Familjerätten", "Familjehemsgruppen"},
		titles: []string{"Socialsekreterare", "Socialsekreterare", "Socialsekreterare", "Familjebehandlare", "Familjehemssekreterare"}}
	adults = &unitKind{chef: "Enhetschef", teamChef: "Gruppledare", weight: 3,
		teams:  []string{"Missbruk och beroende", "Öppenvården", "Socialpsykiatri", "Våld i nära relationer", "Boendestöd"},
		titles: []string{"Socialsekreterare", "Socialsekreterare", "Behandlingsassistent", "Boendestödjare", "Handläggare"}}
	income = &unitKind{chef: "Enhetschef", teamChef: "Gruppledare", weight: 3,
		teams:  []string{"Handläggargrupp 1", "Handläggargrupp 2", "Handläggargrupp 3", "Nybesök", "Ekonomisk rådgivning", "Budget- och skuldrådgivning"},
		titles: []string{"Socialsekreterare", "Socialsekreterare", "Handläggare", "Budget- och skuldrådgivare"}}
	labour = &unitKind{chef: "Enhetschef", teamChef: "Gruppledare", weight: 3,
		teams:  []string{"Jobbtorget", "Praktiksamordning", "Arbetsträning", "Feriearbete", "Studie- och yrkesvägledning"},
		titles: []string{"Arbetsmarknadskonsulent", "Jobbcoach", "Jobbcoach", "Handledare", "Studie- och yrkesvägledare"}}
	integration = &unitKind{chef: "Enhetschef", teamChef: "Gruppledare", weight: 2,
		teams:  []string{"Mottagning nyanlända", "Bosättning", "Samhällsorientering", "Språkstöd"},
		titles: []string{"Integrationshandläggare", "Samhällskommunikatör", "Handläggare"}}

	homeCare = &unitKind{chef: "Enhetschef", teamChef: "Samordnare", weight: 6,
		teams: []string{"Team Öst", "Team Väst", "Team Ängen", "Team Åsen", "Kvällsteam", "Nattpatrull", "Larmgruppen",
			"Team Skogsbacken"},
		titles: []string{"Undersköterska", "Undersköterska", "Undersköterska", "Undersköterska", "Vårdbiträde", "Vårdbiträde"}}
	careHome = &unitKind{chef: "Enhetschef", teamChef: "Samordnare", weight: 6,
		teams: []string{"Avdelning Syrenen", "Avdelning Rönnen", "Avdelning Linnéa", "Avdelning Äppelgården", "Demensavdelningen",
			"Korttidsboendet", "Nattpersonal", "Köket"},
		titles: []string{"Undersköterska", "Undersköterska", "Undersköterska", "Undersköterska", "Vårdbiträde", "Vårdbiträde",
			"Sjuksköterska", "Aktivitetsledare"}}
	disability = &unitKind{chef: "Enhetschef", teamChef: "Samordnare", weight: 4,
		teams: []string{"Gruppbostad Tallen", "Gruppbostad Björken", "Gruppbostad Ängen", "Servicebostad Åsen", "Korttidsvistelse",
			"Personlig assistans"},
		titles: []string{"Stödassistent", "Stödassistent", "Stödassistent", "Boendestödjare", "Personlig assistent"}}
	daily = &unitKind{chef: "Enhetschef", teamChef: "Samordnare", weight: 3,
		teams:  []string{"Verkstaden", "Café Ängen", "Trädgården", "Textil och skapande", "Sinnesrummet", "Arbetsgrupp ute"},
		titles: []string{"Handledare", "Handledare", "Stödassistent", "Arbetsterapeut"}}
	homeHealth = &unitKind{chef: "Enhetschef", teamChef: "Samordnare", weight: 3,
		teams:  []string{"Sjuksköterskor norr", "Sjuksköterskor söder", "Rehab", "Hjälpmedel", "Kvällssjuksköterskor"},
		titles: []string{"Sjuksköterska", "Sjuksköterska", "Sjuksköterska", "Distriktssköterska", "Fysioterapeut", "Arbetsterapeut"}}

	building = &unitKind{chef: "Bygglovschef", teamChef: "Gruppledare", weight: 2,
		teams:  []string{"Bygglovshandläggning", "Byggnadsinspektion", "Kart och mät", "Administration"},
		titles: []string{"Bygglovshandläggare", "Bygglovshandläggare", "Byggnadsinspektör", "Mätningsingenjör", "Administratör"}}
	environment = &unitKind{chef: "Miljöchef", teamChef: "Gruppledare", weight: 2,
		teams:  []string{"Livsmedelskontroll", "Miljöskydd", "Hälsoskydd", "Alkohol och tobak"},
		titles: []string{"Miljöinspektör", "Miljöinspektör", "Livsmedelsinspektör", "Alkoholhandläggare"}}
	streets = &unitKind{chef: "Gatuchef", teamChef: "Arbetsledare", weight: 3,
		teams:  []string{"Gata", "Park", "Vinterväghållning", "Trafik", "Verkstaden"},
		titles: []string{"Parkarbetare", "Anläggningsarbetare", "Anläggningsarbetare", "Maskinförare", "Trafikingenjör"}}
	water = &unitKind{chef: "VA-chef", teamChef: "Arbetsledare", weight: 3,
		teams:  []string{"Vattenverket", "Reningsverket", "Ledningsnät", "VA-planering"},
		titles: []string{"Drifttekniker", "Drifttekniker", "VA-ingenjör", "Rörläggare"}}
	planning = &unitKind{chef: "Planchef", teamChef: "Gruppledare", weight: 2,
		teams:  []string{"Översiktsplanering", "Detaljplanering", "GIS", "Exploatering"},
		titles: []string{"Planarkitekt", "Planarkitekt", "GIS-ingenjör", "Exploateringsingenjör"}}
	premises = &unitKind{chef: "Fastighetschef", teamChef: "Arbetsledare", weight: 4,
		teams:  []string{"Fastighetsskötsel", "Lokalvård norr", "Lokalvård söder", "Projekt och underhåll", "Måltidsservice"},
		titles: []string{"Fastighetsskötare", "Lokalvårdare", "Lokalvårdare", "Kock", "Projektledare"}}

	library = &unitKind{chef: "Bibliotekschef", teamChef: "Samordnare", weight: 2,
		teams:  []string{"Huvudbiblioteket", "Barn och unga", "Ängby filial", "Bokbussen", "Meröppet och digitalt"},
		titles: []string{"Bibliotekarie", "Bibliotekarie", "Bibliotekarie", "Biblioteksassistent"}}
	cultureSchool = &unitKind{chef: "Kulturskolechef", teamChef: "Samordnare", weight: 2,
		teams:  []string{"Musik", "Dans", "Teater", "Bild och form", "El Sistema"},
		titles: []string{"Musiklärare", "Musiklärare", "Kulturpedagog", "Danspedagog"}}
	youth = &unitKind{chef: "Enhetschef", teamChef: "Samordnare", weight: 2,
		teams:  []string{"Fritidsgården Åsen", "Fritidsgården Centrum", "Fritidsgården Ängen", "Mobila teamet", "Sommarlovsaktiviteter"},
		titles: []string{"Fritidsledare", "Fritidsledare", "Fritidsledare", "Ungdomscoach"}}
	sports = &unitKind{chef: "Enhetschef", teamChef: "Arbetsledare", weight: 2,
		teams:  []string{"Idrottshallar", "Utomhusanläggningar", "Föreningsservice", "Ishallen"},
		titles: []string{"Anläggningsskötare", "Anläggningsskötare", "Föreningskonsulent", "Vaktmästare"}}
	swimming = &unitKind{chef: "Badchef", teamChef: "Arbetsledare", weight: 2,
		teams:  []string{"Badvärdar", "Simskola", "Reception och kassa", "Gym och friskvård"},
		titles: []string{"Badvärd", "Badvärd", "Simlärare", "Receptionist"}}
)

// teamTitles are the titles of arbetslag whose people do something else than the rest of their enhet.
var teamTitles = map[string][]string{
	"Förskoleklass":       {"Förskollärare", "Förskollärare", "Lärare i fritidshem"},
	"Fritidshemmet Solen": {"Lärare i fritidshem", "Fritidspedagog", "Barnskötare"},
	"Fritidshemmet Månen": {"Lärare i fritidshem", "Fritidspedagog", "Barnskötare"},
	"Skolköket":           {"Kock", "Måltidsbiträde"},
	"Förskoleköket":       {"Kock", "Måltidsbiträde"},
	"Köket":               {"Kock", "Måltidsbiträde"},
	"Elevhälsoteamet":     {"Skolsköterska", "Kurator", "Specialpedagog", "Skolpsykolog"},
	"Rehab":               {"Fysioterapeut", "Arbetsterapeut"},
	"Hjälpmedel":          {"Hjälpmedelstekniker", "Arbetsterapeut"},
}

// departments is the demo kommun's tree above the arbetslag: 6 förvaltningar and 40 enheter.
var departments = []departmentSpec{
	{name: "Kommunledningsförvaltningen", chef: "Kommundirektör", units: []unitSpec{
		{"HR-avdelningen", hr}, {"Ekonomiavdelningen", finance}, {"IT-avdelningen", ict}, {"Kansliet", chancery},
		{"Kommunikation", communication},
	}},
	{name: "Barn- och utbildningsförvaltningen", chef: "Förvaltningschef", units: []unitSpec{
		{"Ängsskolan", school}, {"Björkhagsskolan", school}, {"Centralskolan", school}, {"Öxnevalla skola", school},
		{"Österängsgymnasiet", upperSchool}, {"Åkerbo förskola", preschool}, {"Solrosens förskola", preschool},
		{"Ekbackens förskola", preschool}, {"Örnens förskola", preschool}, {"Elevhälsan", pupilHealth},
	}},
	{name: "Socialförvaltningen", chef: "Socialchef", units: []unitSpec{
		{"Barn och familj", childFamily}, {"Vuxenenheten", adults}, {"Försörjningsstöd", income},
		{"Arbetsmarknadsenheten", labour}, {"Integrationsenheten", integration},
	}},
	{name: "Vård- och omsorgsförvaltningen", chef: "Förvaltningschef", units: []unitSpec{
		{"Hemtjänst Norra", homeCare}, {"Hemtjänst Södra", homeCare}, {"Hemtjänst Centrum", homeCare},
		{"Åsgårdens äldreboende", careHome}, {"Lindgårdens vård- och omsorgsboende", careHome}, {"Solbackens äldreboende", careHome},
		{"LSS-boenden", disability}, {"Daglig verksamhet", daily}, {"Hemsjukvården", homeHealth},
	}},
	{name: "Samhällsbyggnadsförvaltningen", chef: "Samhällsbyggnadschef", units: []unitSpec{
		{"Bygglov", building}, {"Miljö och hälsa", environment}, {"Gata och park", streets}, {"VA-enheten", water},
		{"Planenheten", planning}, {"Lokalförsörjning", premises},
	}},
	{name: "Kultur- och fritidsförvaltningen", chef: "Kultur- och fritidschef", units: []unitSpec{
		{"Biblioteket", library}, {"Kulturskolan", cultureSchool}, {"Fritidsgårdarna", youth},
		{"Idrott och anläggningar", sports}, {"Älvängens simhall", swimming},
	}},
}

// politicians are the förtroendevalda of the demo, placed in Kommunledningsförvaltningen.
var politicians = []string{
	"Kommunstyrelsens ordförande", "Kommunalråd", "Kommunfullmäktiges ordförande",
	"Ordförande barn- och utbildningsnämnden", "Ordförande socialnämnden", "Ordförande vård- och omsorgsnämnden",
	"Ordförande samhällsbyggnadsnämnden", "Ordförande kultur- och fritidsnämnden",
}

// givenNames and familyNames hold å, ä, ö and é, and a Zeta and a Zetterlund, so that Swedish sorting
// (å, ä, ö after z) shows in every list.
var givenNames = []string{
	"Anna", "Maria", "Karin", "Sara", "Emma", "Elin", "Johanna", "Sofia", "Linnéa", "Ida",
	"Malin", "Jenny", "Eva", "Kristina", "Lena", "Helena", "Ingrid", "Märta", "Astrid", "Ebba",
	"Frida", "Hanna", "Klara", "Maja", "Saga", "Åsa", "Ylva", "Zeta", "Birgitta", "Agneta",
	"Fatima", "Amira", "Leyla", "Nadia", "Erik", "Lars", "Anders", "Johan", "Per", "Karl",
	"Mikael", "Peter", "Nils", "Olof", "Fredrik", "Daniel", "Magnus", "Mattias", "Jonas", "Björn",
	"Göran", "Sören", "Örjan", "Östen", "Åke", "Gustav", "Oskar", "Axel", "Ali", "Yusuf",
}

var familyNames = []string{
	"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson",
	"Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Lindberg", "Lindqvist", "Lindgren", "Lind", "Berg",
	"Bergström", "Sjöberg", "Ekström", "Ek", "Holm", "Nyström", "Lundgren", "Mattsson", "Forsberg", "Sandberg",
	"Hedlund", "Håkansson", "Björk", "Wallin", "Engström", "Axelsson", "Blom", "Strand", "Söderberg", "Sjögren",
	"Åberg", "Åkesson", "Ågren", "Ängström", "Ärlebäck", "Öberg", "Östlund", "Öhman", "Lindén", "Zetterlund",
	"Nordin", "Berglund", "Nyberg", "Hussein", "Yilmaz", "Nguyen", "Mohammadi", "Ahmed", "Dahl", "Wikström",
}
