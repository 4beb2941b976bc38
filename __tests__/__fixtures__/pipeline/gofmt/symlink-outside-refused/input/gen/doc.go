// Package gen holds the generated API shared with the other services.
package gen
