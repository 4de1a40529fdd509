// Package console is the terminal door: it reads /incident command lines,
// prints each reply, and prints every post the delivery loop addresses to the
// console, so the whole product can be tried, or a script replayed, without
// any chat platform.
package console
