package sessions_test

import "net/http"

// recover500 is a recovering middleware, as chi's Recoverer or
// gin.Recovery are: a panic in next is answered with a bare 500.
func recover500(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if recover() != nil {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
