(def data [3 7 2 7 7 1 3 9 2 7])
(doseq [[k n] (sort (frequencies data))]
  (println (format "%2d | %s" k (apply str (repeat n "*")))))
(prn (apply max-key val (frequencies data)))
(prn (sort-by (comp - val) (frequencies data)))
