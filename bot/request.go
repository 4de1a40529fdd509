package bot

// Request is one command as a door received it.
type Request struct {
	Workspace Workspace
	// Channel is where the command was typed; it resolves the incident when
	// the command names none.
	Channel string
	// Actor is the user reference of the person who typed it: a platform user
	// ID, or "@name" where there are no IDs.
	Actor string
	// ActorName is how the platform names the actor ("alex"), when it says.
	ActorName string
	// Groups are the actor's groups that came with the request (Discord
	// roles). Platforms whose requests do not carry them answer through a
	// Directory instead.
	Groups []string
	Text   string
	// RequestID is the platform's unique ID of the delivery (Slack trigger_id,
	// Discord interaction ID). A repeat gets the first reply and changes nothing.
	RequestID string
}

// Reply is the answer shown to the person who typed the command only.
type Reply struct {
	Text string `json:"text"`
	// Incident is the number of the incident the command was about, if any.
	Incident int `json:"incident,omitempty"`
	// Form, when set, asks for the rest of the command: doors that can show
	// forms open it instead of showing Text.
	Form *Form `json:"form,omitempty"`
	// Full, when set, is the incident whose report Text had to cut short
	// and no status page shows whole: doors send its whole report as a
	// file (Service.FullReport) after answering.
	Full int `json:"full,omitempty"`
	// Replayed is set on the reply given to the request before: the store
	// saw its request ID and did not run it again.
	Replayed bool `json:"-"`
}
