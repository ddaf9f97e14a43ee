\timing on
SET jit = off;
SET random_page_cost = 1.1;
SET work_mem = '64MB';
CREATE TEMP TABLE sample AS SELECT number, query_code, submitted_at FROM public.cases_case TABLESAMPLE SYSTEM (1) LIMIT 2000;
-- warm both
SELECT count(*) FROM sample s JOIN public.cases_case c ON c.number = s.number;
SELECT count(*) FROM sample s JOIN scale_twin.cases c ON c.number = s.number;
\echo '== 1. tracking lookup, 2000 numbers one by one (plpgsql loop)'
DO $$ DECLARE r record; n int := 0; t0 timestamptz := clock_timestamp(); BEGIN
  FOR r IN SELECT number FROM sample LOOP PERFORM 1 FROM public.cases_case WHERE number = r.number; n := n + 1; END LOOP;
  RAISE NOTICE 'unpartitioned: % lookups, % ms each', n, round(extract(epoch from clock_timestamp() - t0) * 1000 / n, 4); END $$;
DO $$ DECLARE r record; n int := 0; t0 timestamptz := clock_timestamp(); BEGIN
  FOR r IN SELECT number FROM sample LOOP PERFORM 1 FROM scale_twin.cases WHERE number = r.number; n := n + 1; END LOOP;
  RAISE NOTICE 'partitioned, number only (no pruning): % lookups, % ms each', n, round(extract(epoch from clock_timestamp() - t0) * 1000 / n, 4); END $$;
DO $$ DECLARE r record; n int := 0; d date; t0 timestamptz := clock_timestamp(); BEGIN
  FOR r IN SELECT number FROM sample LOOP
    d := to_date(substr(r.number, 7, 8), 'YYYYMMDD');
    PERFORM 1 FROM scale_twin.cases WHERE number = r.number
      AND submitted_at >= (d::timestamp AT TIME ZONE 'Asia/Shanghai') AND submitted_at < ((d + 1)::timestamp AT TIME ZONE 'Asia/Shanghai');
    n := n + 1; END LOOP;
  RAISE NOTICE 'partitioned, day from the number (pruned to one partition): % lookups, % ms each', n, round(extract(epoch from clock_timestamp() - t0) * 1000 / n, 4); END $$;
\echo '== 2. a month of statistics: cases received per department, last full month'
SELECT date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - interval '1 month' AS m0 \gset
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT department_id, count(*), count(*) FILTER (WHERE concluded_on IS NOT NULL) FROM public.cases_case
  WHERE submitted_at >= (:'m0'::timestamp AT TIME ZONE 'Asia/Shanghai') AND submitted_at < ((:'m0'::timestamp + interval '1 month') AT TIME ZONE 'Asia/Shanghai') GROUP BY 1;
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT department_id, count(*), count(*) FILTER (WHERE concluded_on IS NOT NULL) FROM scale_twin.cases
  WHERE submitted_at >= (:'m0'::timestamp AT TIME ZONE 'Asia/Shanghai') AND submitted_at < ((:'m0'::timestamp + interval '1 month') AT TIME ZONE 'Asia/Shanghai') GROUP BY 1;
\echo '== 3. the sweep: overdue open cases (deadline.red) and the off-hours choice over all accept events'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT id FROM public.cases_case WHERE state IN ('accepted', 'reviewed') AND due_date < current_date;
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT id FROM scale_twin.cases WHERE state IN ('accepted', 'reviewed') AND due_date < current_date;
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT count(*) FROM public.cases_caseevent e WHERE action = 'accept' AND ((e.at AT TIME ZONE INTERVAL '+08:00')::time < '08:30' OR (e.at AT TIME ZONE INTERVAL '+08:00')::time >= '17:30');
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT count(*) FROM scale_twin.events e WHERE action = 'accept' AND ((e.at AT TIME ZONE INTERVAL '+08:00')::time < '08:30' OR (e.at AT TIME ZONE INTERVAL '+08:00')::time >= '17:30');
\echo '== 4. a case page: a case and its events by case id'
DO $$ DECLARE r record; n int := 0; t0 timestamptz := clock_timestamp(); BEGIN
  FOR r IN SELECT c.id FROM sample s JOIN public.cases_case c USING (number) LOOP PERFORM 1 FROM public.cases_caseevent WHERE case_id = r.id; n := n + 1; END LOOP;
  RAISE NOTICE 'events by case id, unpartitioned: % ms each', round(extract(epoch from clock_timestamp() - t0) * 1000 / n, 4); END $$;
DO $$ DECLARE r record; n int := 0; t0 timestamptz := clock_timestamp(); BEGIN
  FOR r IN SELECT c.id FROM sample s JOIN public.cases_case c USING (number) LOOP PERFORM 1 FROM scale_twin.events WHERE case_id = r.id; n := n + 1; END LOOP;
  RAISE NOTICE 'events by case id, partitioned by month of the event (no pruning): % ms each', round(extract(epoch from clock_timestamp() - t0) * 1000 / n, 4); END $$;
DO $$ DECLARE r record; n int := 0; t0 timestamptz := clock_timestamp(); BEGIN
  FOR r IN SELECT c.id, c.submitted_at FROM sample s JOIN public.cases_case c USING (number) LOOP PERFORM 1 FROM scale_twin.events WHERE case_id = r.id AND at >= r.submitted_at; n := n + 1; END LOOP;
  RAISE NOTICE 'events by case id and at >= submitted_at (prunes older months): % ms each', round(extract(epoch from clock_timestamp() - t0) * 1000 / n, 4); END $$;
SELECT (SELECT count(*) FROM pg_inherits WHERE inhparent = 'scale_twin.cases'::regclass) AS case_partitions, pg_size_pretty(pg_total_relation_size('public.cases_case')) unpart_cases;
DROP SCHEMA scale_twin CASCADE;
