;;; loop.el --- sum of 0..10,000,000 (exclusive) with a while loop  -*- lexical-binding: t -*-
;;; Code:
(require 'bench-common)

(bench-run (lambda ()
             (let ((i 0) (acc 0))
               (while (< i 10000000)
                 (setq acc (+ acc i)
                       i (1+ i)))
               acc)))
;;; loop.el ends here
