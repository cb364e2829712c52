package sessionfasthttp

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/valyala/fasthttp"
)

// newRequest builds the *http.Request the core sees for ctx, under the
// context c. Every string is a copy: fasthttp reuses ctx and its buffers for
// the next request, while the session, the store and the event hooks may
// keep what they read from the request (Login records the User-Agent, the
// guessing counter an address).
//
// The body is not attached (http.NoBody); the one thing the core reads from
// it, the CSRF form field, is provided through PostForm (see postForm).
func newRequest(ctx *fasthttp.RequestCtx, c context.Context) *http.Request {
	method := methodOf(ctx.Method())
	uri := string(ctx.RequestURI())
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		// fasthttp accepted a target net/url does not.
		u = &url.URL{}
	}
	// The path is the one fasthttp hands the handler (decoded, dot segments
	// and repeated slashes removed), so that the core's CSRF exempt
	// patterns match the route the request reaches: in the raw target,
	// "/hooks/..%2Fadmin" would match "POST /hooks/{name}" while the handler
	// serves /admin.
	u.Path, u.RawPath = string(ctx.Path()), ""
	r := http.Request{
		Method:        method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Body:          http.NoBody,
		ContentLength: max(int64(ctx.Request.Header.ContentLength()), -1),
		Host:          string(ctx.Host()),
		RemoteAddr:    ctx.RemoteAddr().String(),
		RequestURI:    uri,
		TLS:           ctx.TLSConnectionState(),
	}
	if string(ctx.Request.Header.Protocol()) == "HTTP/1.0" {
		r.Proto, r.ProtoMinor = "HTTP/1.0", 0
	}
	r.Header, r.TransferEncoding = headerOf(&ctx.Request.Header)
	r.PostForm = postForm(ctx, method, r.Header.Get("Content-Type"))
	return r.WithContext(c)
}

// headerOf copies h's header lines, except Host (in Request.Host) and
// Transfer-Encoding (in Request.TransferEncoding), as net/http's server
// does. Each value is its own string, so a value something keeps (a
// User-Agent in the store) holds only itself in memory. Common names are
// shared constants, and all one-value slices share one backing array.
func headerOf(h *fasthttp.RequestHeader) (http.Header, []string) {
	n := h.Len()
	hdr := make(http.Header, n)
	var te []string
	one := make([]string, n)
	for k, v := range h.All() {
		key, ok := commonHeader[string(k)]
		if !ok {
			key = http.CanonicalHeaderKey(string(k))
		}
		switch key {
		case "Host":
		case "Transfer-Encoding":
			te = append(te, string(v))
		default:
			if vs, seen := hdr[key]; seen || len(one) == 0 {
				hdr[key] = append(vs, string(v))
				continue
			}
			one[0] = string(v)
			hdr[key], one = one[:1:1], one[1:]
		}
	}
	return hdr, te
}

// commonHeader holds the canonical names of frequent request headers, so
// copying them costs no allocation.
var commonHeader = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"Accept", "Accept-Encoding", "Accept-Language", "Authorization",
		"Cache-Control", "Connection", "Content-Length", "Content-Type",
		"Cookie", "Host", "If-Modified-Since", "If-None-Match", "Origin",
		"Pragma", "Priority", "Referer", "Sec-Ch-Ua", "Sec-Ch-Ua-Mobile",
		"Sec-Ch-Ua-Platform", "Sec-Fetch-Dest", "Sec-Fetch-Mode",
		"Sec-Fetch-Site", "Sec-Fetch-User", "Transfer-Encoding",
		"Upgrade-Insecure-Requests", "User-Agent", "X-Csrf-Token",
		"X-Forwarded-For", "X-Forwarded-Proto", "X-Real-Ip", "X-Requested-With",
	} {
		m[k] = k
	}
	return m
}()

// methodOf returns the request method, without an allocation for the
// common ones.
func methodOf(b []byte) string {
	switch string(b) {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodHead:
		return http.MethodHead
	case http.MethodPost:
		return http.MethodPost
	case http.MethodPut:
		return http.MethodPut
	case http.MethodPatch:
		return http.MethodPatch
	case http.MethodDelete:
		return http.MethodDelete
	case http.MethodOptions:
		return http.MethodOptions
	}
	return string(b)
}

// maxStreamedForm is the largest application/x-www-form-urlencoded body,
// streamed under Server.StreamRequestBody, that postForm reads: net/http's
// cap on such a form.
const maxStreamedForm = 10 << 20

// postForm returns the form fields of an unsafe request with a form body,
// where the core's CSRF check looks for the token when the header has none,
// or nil when there is no such form (the core then finds an empty one).
// It parses the body through ctx, which keeps the result for the handler,
// following net/http's rules: a urlencoded body counts for POST, PUT and
// PATCH, a multipart one for any unsafe method. A body fasthttp streams
// (Server.StreamRequestBody) is left for the handler to read when it is
// multipart, or urlencoded without a Content-Length or over 10 MB.
func postForm(ctx *fasthttp.RequestCtx, method, contentType string) map[string][]string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return nil
	}
	if contentType == "" {
		return nil
	}
	ct, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil
	}
	switch ct {
	case "application/x-www-form-urlencoded":
		if method != http.MethodPost && method != http.MethodPut && method != http.MethodPatch {
			return nil
		}
		if ctx.Request.IsBodyStream() {
			// Reading a streamed body keeps all of it in memory, whatever
			// the server's MaxRequestBodySize: only a length-announced one
			// within net/http's cap on such a form is read.
			if n := ctx.Request.Header.ContentLength(); n < 0 || n > maxStreamedForm {
				return nil
			}
		}
		args := ctx.PostArgs()
		form := make(map[string][]string, args.Len())
		for k, v := range args.All() {
			key := string(k)
			form[key] = append(form[key], string(v))
		}
		return form
	case "multipart/form-data":
		if ctx.Request.IsBodyStream() {
			return nil
		}
		f, err := ctx.MultipartForm()
		if err != nil {
			return map[string][]string{}
		}
		form := make(map[string][]string, len(f.Value))
		for k, vs := range f.Value {
			c := make([]string, len(vs))
			for i, v := range vs {
				c[i] = strings.Clone(v)
			}
			form[strings.Clone(k)] = c
		}
		return form
	}
	return nil
}
