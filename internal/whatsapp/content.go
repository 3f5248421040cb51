package whatsapp

// Payload types that have the same shape in sends and in inbound webhooks.

// Text is a text message. PreviewURL only matters when sending.
type Text struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url,omitempty"`
}

// Location is a shared place or pin. Latitude and longitude are JSON numbers;
// a raw "current location" pin has no Name, Address or URL.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
	URL       string  `json:"url,omitempty"`
}

// Reaction is an emoji reaction to MessageID. An empty Emoji removes the
// reaction, so it is always encoded, even when empty.
type Reaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji"`
}

// Removed reports whether the reaction removes an earlier one.
func (r *Reaction) Removed() bool { return r.Emoji == "" }

// ContactCard is a vCard-like contact, sent or received in a contacts
// message. Name.FormattedName is required when sending.
type ContactCard struct {
	Name      ContactName      `json:"name"`
	Org       *ContactOrg      `json:"org,omitempty"`
	Phones    []ContactPhone   `json:"phones,omitempty"`
	Emails    []ContactEmail   `json:"emails,omitempty"`
	Addresses []ContactAddress `json:"addresses,omitempty"`
	URLs      []ContactURL     `json:"urls,omitempty"`
	Birthday  string           `json:"birthday,omitempty"` // YYYY-MM-DD
	// VCard is set on inbound answers to a REQUEST_CONTACT_INFO button.
	VCard string `json:"vcard,omitempty"`
}

// ContactName is the name block of a ContactCard.
type ContactName struct {
	FormattedName string `json:"formatted_name"`
	FirstName     string `json:"first_name,omitempty"`
	LastName      string `json:"last_name,omitempty"`
	MiddleName    string `json:"middle_name,omitempty"`
	Prefix        string `json:"prefix,omitempty"`
	Suffix        string `json:"suffix,omitempty"`
}

// ContactOrg is the organisation block of a ContactCard.
type ContactOrg struct {
	Company    string `json:"company,omitempty"`
	Department string `json:"department,omitempty"`
	Title      string `json:"title,omitempty"`
}

// ContactPhone is a phone entry; WaID is set when the number is on WhatsApp.
type ContactPhone struct {
	Phone string `json:"phone,omitempty"`
	WaID  string `json:"wa_id,omitempty"`
	Type  string `json:"type,omitempty"` // CELL, MAIN, IPHONE, HOME, WORK, MOBILE
}

// ContactEmail is an email entry.
type ContactEmail struct {
	Email string `json:"email,omitempty"`
	Type  string `json:"type,omitempty"`
}

// ContactAddress is a postal address entry.
type ContactAddress struct {
	Street      string `json:"street,omitempty"`
	City        string `json:"city,omitempty"`
	State       string `json:"state,omitempty"`
	Zip         string `json:"zip,omitempty"`
	Country     string `json:"country,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
	Type        string `json:"type,omitempty"`
}

// ContactURL is a web address entry.
type ContactURL struct {
	URL  string `json:"url,omitempty"`
	Type string `json:"type,omitempty"`
}
