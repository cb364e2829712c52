package sessionfasthttp

import (
	"bytes"
	"context"
	"io"
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
// The body is not attached as such; the one thing the core reads from it,
// the CSRF form field, is provided through PostForm for a multipart form
// (see postForm), and for an urlencoded one through a Body that reads ctx's
// body only when the core's check asks for the field (see formBody).
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
	r.Body, r.PostForm = postForm(ctx, method, r.Header.Get("Content-Type"))
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
// streamed under Server.StreamRequestBody, that formBody reads: net/http's
// cap on such a form.
const maxStreamedForm = 10 << 20

// postForm returns what the core's CSRF check reads for the token when
// the header has none: the body of an unsafe request's
// application/x-www-form-urlencoded form, as a formBody the check reads
// only if it needs the field, or the fields of its multipart/form-data
// form; otherwise http.NoBody and no form (the core then finds an empty
// one). It follows net/http's rules: a urlencoded body counts for POST,
// PUT and PATCH, a multipart one for any unsafe method. A multipart body
// fasthttp streams (Server.StreamRequestBody) is left for the handler to
// read.
func postForm(ctx *fasthttp.RequestCtx, method, contentType string) (io.ReadCloser, map[string][]string) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return http.NoBody, nil
	}
	if contentType == "" {
		return http.NoBody, nil
	}
	ct, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return http.NoBody, nil
	}
	switch ct {
	case "application/x-www-form-urlencoded":
		if method != http.MethodPost && method != http.MethodPut && method != http.MethodPatch {
			return http.NoBody, nil
		}
		return &formBody{ctx: ctx}, nil
	case "multipart/form-data":
		if ctx.Request.IsBodyStream() {
			return http.NoBody, nil
		}
		f, err := ctx.MultipartForm()
		if err != nil {
			return http.NoBody, map[string][]string{}
		}
		form := make(map[string][]string, len(f.Value))
		for k, vs := range f.Value {
			c := make([]string, len(vs))
			for i, v := range vs {
				c[i] = strings.Clone(v)
			}
			form[strings.Clone(k)] = c
		}
		return http.NoBody, form
	}
	return http.NoBody, nil
}

// formBody is the body of an urlencoded form as the core sees it. The core
// reads it (through Request.PostFormValue, at most 10 MB) only when its
// CSRF check looks for the form field: not for an exempt route, a token
// in the header, or a session without a CSRF secret, which is refused
// unread, as under Manager.Handler. The first Read parses the form through
// ctx.PostArgs, which keeps it for the handler, and then reads the body
// fasthttp now holds. A body fasthttp streams (Server.StreamRequestBody)
// is read only when its Content-Length says it is at most 10 MB: reading
// it keeps all of it in memory, whatever the server's MaxRequestBodySize;
// a larger or chunked one stays an unread stream for the handler, and the
// token must come in the header.
type formBody struct {
	ctx *fasthttp.RequestCtx // nil once the request is over
	r   *bytes.Reader        // the body, from the first Read on
}

// Read reads the body, loading it on the first call. Once the request is
// over it reads nothing: ctx, and the buffer the body was in, then belong
// to fasthttp's next request.
func (b *formBody) Read(p []byte) (int, error) {
	if b.ctx == nil {
		return 0, io.EOF
	}
	if b.r == nil {
		b.r = bytes.NewReader(nil)
		req := &b.ctx.Request
		if req.IsBodyStream() {
			if n := req.Header.ContentLength(); n < 0 || n > maxStreamedForm {
				return 0, io.EOF
			}
		}
		b.ctx.PostArgs()
		if req.IsBodyStream() {
			// PostArgs did not take the Content-Type for a form.
			return 0, io.EOF
		}
		b.r.Reset(req.Body())
	}
	return b.r.Read(p)
}

// Close does nothing: the body stays ctx's, for the handler.
func (b *formBody) Close() error { return nil }

// end cuts b off from ctx when the request is over.
func (b *formBody) end() { b.ctx, b.r = nil, nil }
