package sessionecho_test

import "github.com/sessionkit/sessions/internal/adaptertest"

// The helpers every adapter's tests share (see package adaptertest).
type request = adaptertest.Request

var (
	newManager    = adaptertest.NewManager
	serve         = adaptertest.Serve
	do            = adaptertest.Do
	sessionCookie = adaptertest.SessionCookie
	mustCookie    = adaptertest.MustCookie
	hasVaryCookie = adaptertest.HasVaryCookie
	upgraded      = adaptertest.Upgraded
	checkUpgraded = adaptertest.CheckUpgraded
	checkCSRF     = adaptertest.CheckCSRF
)
