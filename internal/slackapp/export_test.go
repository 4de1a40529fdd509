package slackapp

// WithoutMessage lets the package's outside tests measure the trimming of
// an answer built from a real post.
var WithoutMessage = withoutMessage
