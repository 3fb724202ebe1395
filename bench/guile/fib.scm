;;; fib: naive doubly recursive (fib 27).
(use-modules (common))

(define (fib n)
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(bench (lambda () (fib 27)))
