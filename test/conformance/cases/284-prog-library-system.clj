(def library (atom {:books {} :loans {}}))
(defn add-book! [id title] (swap! library assoc-in [:books id] {:title title :available true}))
(defn lend! [id who]
  (let [book (get-in @library [:books id])]
    (cond (nil? book) (throw (ex-info "No such book" {:id id}))
          (not (:available book)) (throw (ex-info "Already lent" {:id id :to (get-in @library [:loans id])}))
          :else (swap! library #(-> % (assoc-in [:books id :available] false) (assoc-in [:loans id] who))))))
(add-book! 1 "SICP")
(add-book! 2 "HtDP")
(lend! 1 "ann")
(prn (get-in @library [:loans 1]))
(prn (try (lend! 1 "bob") (catch Exception e [(ex-message e) (ex-data e)])))
(prn (try (lend! 9 "bob") (catch Exception e (ex-message e))))
(prn (map (comp :title val) (filter (comp :available val) (:books @library))))
