;;; mfr.el --- seq.el map/filter/reduce over a 1,000,000-element vector  -*- lexical-binding: t -*-
;;; Code:
(require 'bench-common)
(require 'seq)
(require 'cl-lib)

(bench-run (lambda ()
             (let ((v (make-vector 1000000 0)))
               (dotimes (i 1000000) (aset v i i))
               (seq-reduce #'+ (seq-filter #'cl-evenp (seq-map #'1+ v)) 0))))
;;; mfr.el ends here
