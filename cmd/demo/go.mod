module github.com/sessionkit/sessions/cmd/demo

go 1.25.0

require github.com/sessionkit/sessions v0.0.0-00010101000000-000000000000

replace github.com/sessionkit/sessions => ../..
