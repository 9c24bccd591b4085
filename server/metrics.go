package server

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/sqldict/sqldict/sqldict"
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

func newMetrics(tables map[string]*sqldict.Dict) *metrics {
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
		writes: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sqldict_commit_writes",
			Help:    "Writes per commit request, by table.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12),
		}, []string{"table"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.watchers, m.commits, m.writes, groupCollector(tables),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

var (
	groupBatchDesc = prometheus.NewDesc("sqldict_group_commit_batch_size",
		"Commit calls that shared one database transaction (group commit), by table: a lone commit is a batch of 1.",
		[]string{"table"}, nil)
	groupRowsDesc = prometheus.NewDesc("sqldict_group_commit_rows_total",
		"Journal rows written by group-commit transactions, by table.",
		[]string{"table"}, nil)
)

// groupCollector reads each journal's sqldict.GroupStats when scraped:
// the counters live in the Dict, which commits without knowing of metrics.
func groupCollector(tables map[string]*sqldict.Dict) prometheus.Collector {
	return collectorFunc{
		descs: []*prometheus.Desc{groupBatchDesc, groupRowsDesc},
		collect: func(ch chan<- prometheus.Metric) {
			for name, d := range tables {
				st := d.GroupStats()
				buckets := make(map[float64]uint64, len(st.Sizes))
				var cum uint64
				for i, n := range st.Sizes {
					cum += uint64(n)
					buckets[float64(uint64(1)<<i)] = cum
				}
				ch <- prometheus.MustNewConstHistogram(groupBatchDesc, uint64(st.Batches), float64(st.Callers), buckets, name)
				ch <- prometheus.MustNewConstMetric(groupRowsDesc, prometheus.CounterValue, float64(st.Rows), name)
			}
		},
	}
}

// collectorFunc is a prometheus.Collector from its descriptions and a
// collect function.
type collectorFunc struct {
	descs   []*prometheus.Desc
	collect func(chan<- prometheus.Metric)
}

func (c collectorFunc) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c collectorFunc) Collect(ch chan<- prometheus.Metric) { c.collect(ch) }

// handler serves the series; those labelled with a table may does not
// accept are left out.
func (m *metrics) handler(may func(table string) bool) http.Handler {
	g := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		mfs, err := m.reg.Gather()
		for _, mf := range mfs {
			mf.Metric = slices.DeleteFunc(mf.Metric, func(mt *dto.Metric) bool {
				for _, l := range mt.GetLabel() {
					if l.GetName() == "table" && !may(l.GetValue()) {
						return true
					}
				}
				return false
			})
		}
		return mfs, err
	})
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// serveMetrics answers /metrics: with tokens, any valid token may scrape,
// and sees the series of its tables only.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request, _ *sqldict.Dict) error {
	token, _ := bearer(r)
	s.metrics.handler(s.tablesOf(token)).ServeHTTP(w, r)
	return nil
}

// methodLabel bounds the method label: a client may send any token as
// its method, and each label value is a series kept until restart.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return "OTHER"
}

func (m *metrics) observeCommit(table string, writes int) {
	m.commits.WithLabelValues(table).Inc()
	m.writes.WithLabelValues(table).Observe(float64(writes))
}

func (m *metrics) observeRequest(route, method string, status int, seconds float64) {
	m.requests.WithLabelValues(route, methodLabel(method), strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(seconds)
}
