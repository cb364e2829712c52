package sessiongin_test

import (
	"os"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions/internal/adaptertest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

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
