;;; compile.scm — compiles the Guile benchmarks ahead of time, so that no
;;; timed or measured run pays for (or measures the memory of) the compiler.
;;; Usage: guile -L bench/guile bench/guile/compile.scm SRCDIR OUTDIR
;;; Writes OUTDIR/NAME.go for every NAME.scm of SRCDIR except this file;
;;; run the programs with: guile -C OUTDIR -L SRCDIR -c '(load-compiled "OUTDIR/NAME.go")' N
(use-modules (system base compile) (ice-9 ftw))

(let* ((args (cdr (command-line)))
       (src (car args))
       (out (cadr args)))
  (for-each
   (lambda (name)
     (when (and (string-suffix? ".scm" name)
                (not (string=? name "compile.scm")))
       (compile-file (string-append src "/" name)
                     #:output-file
                     (string-append out "/"
                                    (string-drop-right name 4) ".go")
                     #:opts '(#:optimization-level 2))))
   ;; common.scm first: the others import it.
   (sort (scandir src)
         (lambda (a b) (or (string=? a "common.scm")
                           (and (not (string=? b "common.scm"))
                                (string<? a b)))))))
