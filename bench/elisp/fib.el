;;; fib.el --- naive doubly recursive (fib 27)  -*- lexical-binding: t -*-
;;; Code:
(require 'bench-common)

(defun bench-fib (n)
  "The Nth Fibonacci number, by naive double recursion."
  (if (< n 2)
      n
    (+ (bench-fib (- n 1)) (bench-fib (- n 2)))))

(bench-run (lambda () (bench-fib 27)))
;;; fib.el ends here
