package httpserver_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/httpserver"
)

func TestHealthAndReadiness(t *testing.T) {
	var redisErr error
	h := httpserver.NewServer(httpserver.Deps{Ready: func(context.Context) error { return redisErr }})
	for _, tc := range []struct {
		name, method, path string
		redis              error
		want               int
	}{
		{"Healthz", "GET", "/healthz", nil, http.StatusOK},
		{"HealthzWithRedisDown", "GET", "/healthz", errors.New("down"), http.StatusOK},
		{"Readyz", "GET", "/readyz", nil, http.StatusOK},
		{"ReadyzWithRedisDown", "GET", "/readyz", errors.New("down"), http.StatusServiceUnavailable},
		{"WrongMethod", "POST", "/healthz", nil, http.StatusMethodNotAllowed},
		{"Unknown", "GET", "/nope", nil, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			redisErr = tc.redis
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			if rec.Code != tc.want {
				t.Errorf("%s %s = %d, want %d", tc.method, tc.path, rec.Code, tc.want)
			}
		})
	}
}

func TestStatusOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, http.StatusOK},
		{bot.Errorf(bot.EINVALID, "x"), http.StatusBadRequest},
		{bot.Errorf(bot.ENOTFOUND, "x"), http.StatusNotFound},
		{bot.Errorf(bot.ECONFLICT, "x"), http.StatusConflict},
		{bot.Errorf(bot.EFORBIDDEN, "x"), http.StatusForbidden},
		{bot.Errorf(bot.EUNAVAILABLE, "x"), http.StatusServiceUnavailable},
		{errors.New("boom"), http.StatusInternalServerError},
	} {
		if got := httpserver.StatusOf(tc.err); got != tc.want {
			t.Errorf("StatusOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
