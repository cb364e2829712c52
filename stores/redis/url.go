package redis

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
)

// Fail-fast client settings NewFromURL applies unless the URL sets them.
const (
	// URLTimeout is the dial, read and write timeout.
	URLTimeout = time.Second
	// URLMaxRetries is how often a failed command is retried.
	URLMaxRetries = 1
	// URLDialerRetries is how many dial attempts one connection gets.
	URLDialerRetries = 1
)

// NewFromURL creates a Redis client from rawURL and returns a store on it
// with the default Options; the store's Close closes that client.
//
//	redis://[user:password@]host:port[/db][?options]
//	rediss://...                                       (TLS)
//	redis+cluster://[user:password@]host:port,host:port,...[?options]
//	rediss+cluster://...                               (TLS)
//
// The scheme may be written in any case. The database number db is 0 or
// more (default 0); one over the server's "databases" setting is only
// noticed by the server, which then refuses every command with "ERR DB
// index is out of range".
//
// The query accepts go-redis's client options (dial_timeout, read_timeout,
// write_timeout, max_retries, pool_size, ...) and key_prefix, which sets
// Options.Prefix. Unless the URL says otherwise, the client fails fast when
// Redis is down: URLTimeout (1s) to dial, read and write, one dial attempt
// per connection (URLDialerRetries) and one retry per command
// (URLMaxRetries); an option given with an empty value counts as not given.
// go-redis reads max_retries=0 and dialer_retries=0 as its own defaults (3
// retries, 5 dial attempts); -1 means none (for dialer_retries: one dial
// attempt, none repeated). For Sentinel, build the client
// with redis.NewFailoverClient and use New.
func NewFromURL(rawURL string) (*Store, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil, urlErr(rawURL, "missing scheme; use redis://host:port/db or redis+cluster://host:port,host:port")
	}
	// Schemes are case-insensitive (RFC 3986, section 3.1).
	scheme = strings.ToLower(scheme)
	base, query, _ := strings.Cut(rest, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, urlErr(rawURL, "bad query: "+err.Error())
	}
	var o Options
	if p, ok := q["key_prefix"]; ok {
		o.Prefix = p[len(p)-1]
		q.Del("key_prefix")
	}
	var client redis.UniversalClient
	switch scheme {
	case "redis", "rediss":
		// go-redis parses dialer_retries for clusters only.
		pq := url.Values{}
		for k, v := range q {
			if k != "dialer_retries" {
				pq[k] = v
			}
		}
		opt, err := redis.ParseURL(scheme + "://" + base + "?" + pq.Encode())
		if err != nil {
			return nil, urlErr(rawURL, parseReason(err))
		}
		if opt.DB < 0 {
			// go-redis selects no database for a negative one: the
			// store would use database 0.
			return nil, urlErr(rawURL, fmt.Sprintf("database number %d is negative; give 0 or more (or leave the path empty for 0)", opt.DB))
		}
		if v := last(q, "dialer_retries"); v != "" {
			if opt.DialerRetries, err = strconv.Atoi(v); err != nil {
				return nil, urlErr(rawURL, "dialer_retries is not an integer")
			}
		}
		failFast(q, &opt.DialTimeout, &opt.ReadTimeout, &opt.WriteTimeout, &opt.MaxRetries, &opt.DialerRetries)
		client = redis.NewClient(opt)
	case "redis+cluster", "rediss+cluster":
		// userinfo@host:port,host:port[/path]
		userinfo, hosts := "", base
		if at := strings.LastIndex(base, "@"); at >= 0 {
			userinfo, hosts = base[:at+1], base[at+1:]
		}
		if slash := strings.Index(hosts, "/"); slash >= 0 {
			if db := hosts[slash:]; db != "/" && db != "/0" {
				return nil, urlErr(rawURL, "a cluster has only database 0; drop "+db)
			}
			hosts = hosts[:slash]
		}
		addrs := strings.Split(hosts, ",")
		for _, a := range addrs[1:] {
			q.Add("addr", a)
		}
		plain := strings.TrimSuffix(scheme, "+cluster")
		opt, err := redis.ParseClusterURL(plain + "://" + userinfo + addrs[0] + "?" + q.Encode())
		if err != nil {
			return nil, urlErr(rawURL, parseReason(err))
		}
		failFast(q, &opt.DialTimeout, &opt.ReadTimeout, &opt.WriteTimeout, &opt.MaxRetries, &opt.DialerRetries)
		client = redis.NewClusterClient(opt)
	default:
		return nil, urlErr(rawURL, fmt.Sprintf("unknown scheme %q; use redis, rediss, redis+cluster or rediss+cluster", scheme))
	}
	s, err := NewWithOptions(client, o)
	if err != nil {
		client.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// failFast applies URLTimeout, URLMaxRetries and URLDialerRetries where the
// query left them unset. An empty value (read_timeout=) is unset too:
// go-redis parses it as 0, its own default (5s timeouts, 3 retries, 5 dial
// attempts), which is not what the URL asked for. A negative dialer_retries
// becomes one attempt.
func failFast(q url.Values, dial, read, write *time.Duration, retries, dialRetries *int) {
	for name, d := range map[string]*time.Duration{"dial_timeout": dial, "read_timeout": read, "write_timeout": write} {
		if last(q, name) == "" {
			*d = URLTimeout
		}
	}
	if last(q, "max_retries") == "" {
		*retries = URLMaxRetries
	}
	if last(q, "dialer_retries") == "" {
		*dialRetries = URLDialerRetries
	}
	if *dialRetries < 0 {
		// -1: no retry, one attempt. go-redis reads every value below 1
		// as its default of 5 attempts.
		*dialRetries = 1
	}
}

// last returns the last value of name in q, the one go-redis uses, or "".
func last(q url.Values, name string) string {
	if vs := q[name]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

// parseReason is why go-redis refused a URL. When net/url could not parse
// it, that is the *url.Error's cause alone: the *url.Error quotes the whole
// URL, password included.
func parseReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// urlErr reports a bad URL without echoing its password.
func urlErr(rawURL, why string) error {
	return fmt.Errorf("%w: redis store URL %s: %s", sessions.ErrConfig, redactURL(rawURL), why)
}

// redactURL hides the password of rawURL. net/url finds it in a URL whose
// scheme ends at "://"; any other text that net/url parses (it reads
// "#://u:p@h" as a fragment, "redis:#://u:p@h" as a scheme and a fragment,
// "redis:u:p@h" as opaque) may still hold one, so all of it up to its last
// "@" goes.
func redactURL(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Scheme != "" && strings.Index(rawURL, "://") == len(u.Scheme) {
		return u.Redacted()
	}
	if at := strings.LastIndex(rawURL, "@"); at >= 0 {
		return "…@" + rawURL[at+1:]
	}
	return rawURL
}
