;;; bench-common.el --- timing protocol of the Emacs Lisp benchmarks  -*- lexical-binding: t -*-

;; `bench-run' runs WORKLOAD once untimed (warm-up), then N times timed with
;; `float-time' (N = the first argument left on Emacs's command line,
;; default 5), and prints "result <value>" and "ms <t1> <t2> ...".
;; The runner byte-compiles every file first and loads the .elc files with
;; `emacs --batch -Q'.

;;; Code:

(defun bench-run (workload)
  "Time WORKLOAD, a function of no arguments, and print the protocol lines."
  (let* ((arg (pop command-line-args-left))
         (n (if arg (string-to-number arg) 5))
         (result (funcall workload))
         (times nil))
    (dotimes (_ n)
      (let* ((t0 (float-time))
             (r (funcall workload)))
        (push (* 1000.0 (- (float-time) t0)) times)
        (unless (equal r result) (error "Result changed between runs"))))
    (princ (format "result %s\nms%s\n" result
                   (mapconcat (lambda (ms) (format " %.3f" ms))
                              (nreverse times) "")))))

(provide 'bench-common)
;;; bench-common.el ends here
