package server

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus series of one Server, in a registry of its
// own so that several Servers in one process (tests) do not collide.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	watchers prometheus.Gauge
	commits  *prometheus.CounterVec
	writes   *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sqldict_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sqldict_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request (watch streams: the stream's lifetime), by route pattern.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"route"}),
		watchers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sqldict_watch_streams_open",
			Help: "Watch streams (Server-Sent Events) currently open.",
		}),
		commits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sqldict_commits_total",
			Help: "Commits the server made (PUT, DELETE, POST commit), by table.",
		}, []string{"table"}),
		// TODO(lead): group commit (helper wpath) exposes no batch size
		// yet. Once sqldict reports how many callers' commits shared one
		// database transaction, observe that here as
		// sqldict_group_commit_batch_size; until then this counts the
		// writes of each commit request.
		writes: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sqldict_commit_writes",
			Help:    "Writes per commit request, by table.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12),
		}, []string{"table"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.watchers, m.commits, m.writes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func (m *metrics) observeCommit(table string, writes int) {
	m.commits.WithLabelValues(table).Inc()
	m.writes.WithLabelValues(table).Observe(float64(writes))
}

func (m *metrics) observeRequest(route, method string, status int, seconds float64) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(seconds)
}
