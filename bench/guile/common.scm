;;; common.scm — the timing protocol shared by the Guile benchmarks.
;;; (bench workload) runs WORKLOAD once untimed (warm-up), then N times timed
;;; with get-internal-real-time (N = first command-line argument, default 5),
;;; and prints "result <value>" and "ms <t1> <t2> ...".
;;; The runner compiles every file ahead of time (compile.scm).

(define-module (common)
  #:export (bench))

(define (bench workload)
  (let* ((args (cdr (command-line)))
         (n (if (pair? args) (string->number (car args)) 5))
         (result (workload))
         (ms (lambda (t)
               (/ (* 1000.0 t) internal-time-units-per-second))))
    (let loop ((i 0) (times '()))
      (if (< i n)
          (let* ((t0 (get-internal-real-time))
                 (r (workload))
                 (t (ms (- (get-internal-real-time) t0))))
            (unless (equal? r result) (error "result changed between runs"))
            (loop (+ i 1) (cons t times)))
          (begin
            (display "result ") (display result) (newline)
            (display "ms")
            (for-each (lambda (t) (display " ") (display t)) (reverse times))
            (newline))))))
